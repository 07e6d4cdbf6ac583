package dialroute.app;

import dialroute.dialplan.ActiveDialPlan;
import dialroute.dialplan.DialPlan;
import dialroute.dialplan.InvalidDialPlanException;
import dialroute.dialplan.yaml.YamlDialPlanReader;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.logging.Logger;
import javax.servlet.ServletContext;
import javax.servlet.ServletContextEvent;
import javax.servlet.ServletContextListener;

/**
 * Loads the dial plan when the application deploys and publishes it for the servlets. A plan
 * with problems fails the deployment, with every problem in the log as {@code file:line:col}:
 * better no dialroute than one routing calls by a plan the admin did not write.
 *
 * <p>Where the plan comes from, first match wins: the system property {@value #PLAN_PROPERTY},
 * the environment variable {@value #PLAN_VARIABLE}, else the sample plan inside the archive.
 */
public final class DialPlanStartup implements ServletContextListener {
    static final String PLAN_PROPERTY = "dialroute.plan";
    static final String PLAN_VARIABLE = "DIALROUTE_PLAN";
    static final String BUNDLED_PLAN = "/WEB-INF/dialplans/sample.yaml";

    private static final Logger LOG = Logger.getLogger("dialroute");

    @Override
    public void contextInitialized(ServletContextEvent event) {
        ServletContext context = event.getServletContext();
        DialPlan plan;
        try {
            plan = load(context);
        } catch (InvalidDialPlanException e) {
            LOG.severe("dialroute: " + e.getMessage());
            throw new IllegalStateException(e.getMessage(), e);
        }
        context.setAttribute(ActiveDialPlan.class.getName(), new ActiveDialPlan(plan));
        LOG.info(() -> "dialroute: loaded dial plan " + plan);
    }

    @Override
    public void contextDestroyed(ServletContextEvent event) {
        event.getServletContext().removeAttribute(ActiveDialPlan.class.getName());
    }

    private static DialPlan load(ServletContext context) throws InvalidDialPlanException {
        String configured = System.getProperty(PLAN_PROPERTY);
        if (configured == null || configured.isBlank()) {
            configured = System.getenv(PLAN_VARIABLE);
        }
        YamlDialPlanReader reader = new YamlDialPlanReader();
        if (configured != null && !configured.isBlank()) {
            return reader.read(Path.of(configured).toAbsolutePath());
        }
        String source = context.getContextPath() + BUNDLED_PLAN + " (bundled sample)";
        try (InputStream in = context.getResourceAsStream(BUNDLED_PLAN)) {
            if (in == null) {
                throw new IllegalStateException("the archive lacks " + BUNDLED_PLAN);
            }
            return reader.read(source, in.readAllBytes());
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + source, e);
        }
    }
}
