package dialroute.app;

import dialroute.admin.AdminCredentials;
import dialroute.admin.AdminServlet;
import dialroute.calllog.JsonCallLog;
import dialroute.dialplan.ActiveDialPlan;
import dialroute.dialplan.DialPlan;
import dialroute.dialplan.InvalidDialPlanException;
import dialroute.dialplan.RoutingEvents;
import dialroute.dialplan.yaml.YamlDialPlanReader;
import dialroute.health.DestinationHealth;
import dialroute.metrics.CallCounts;
import dialroute.metrics.PrometheusRoutingEvents;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.time.Duration;
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
 * the environment variable {@value #PLAN_VARIABLE}, else the sample plan inside the archive. A
 * plan from a file is watched and reloaded when it changes ({@link PlanFileWatcher}).
 */
public final class DialPlanStartup implements ServletContextListener {
    static final String PLAN_PROPERTY = "dialroute.plan";
    static final String PLAN_VARIABLE = "DIALROUTE_PLAN";
    static final String BUNDLED_PLAN = "/WEB-INF/dialplans/sample.yaml";

    static final String POLL_PROPERTY = "dialroute.plan.poll-ms";
    static final String CREDENTIALS_PROPERTY = "dialroute.admin.credentials";
    private static final String WATCHER = PlanFileWatcher.class.getName();

    private static final Logger LOG = Logger.getLogger("dialroute");

    @Override
    public void contextInitialized(ServletContextEvent event) {
        ServletContext context = event.getServletContext();
        Path file = configuredFile();
        DialPlan plan;
        try {
            plan = file != null ? new YamlDialPlanReader().read(file) : bundled(context);
        } catch (InvalidDialPlanException e) {
            LOG.severe("dialroute: " + e.getMessage());
            throw new IllegalStateException(e.getMessage(), e);
        }
        ActiveDialPlan active = new ActiveDialPlan(plan);
        context.setAttribute(ActiveDialPlan.class.getName(), active);
        LOG.info(() -> "dialroute: loaded dial plan " + plan);
        // Probe results and the admin's switches live beside the plan, not in it, so a reload keeps them.
        DestinationHealth health = new DestinationHealth();
        context.setAttribute(DestinationHealth.class.getName(), health);
        PrometheusRoutingEvents events = Metrics.publish(context, active, health);
        JsonCallLog callLog = JsonCallLog.fromSystemProperties();
        context.setAttribute(JsonCallLog.class.getName(), callLog);
        context.setAttribute(RoutingEvents.class.getName(), events);
        events.planLoaded(plan, false);
        PlanFileWatcher watcher = null;
        if (file != null) {
            Duration interval = Duration.ofMillis(Long.getLong(POLL_PROPERTY, 1000));
            watcher = PlanFileWatcher.start(file, active, interval, events);
            context.setAttribute(WATCHER, watcher);
            LOG.info(() -> "dialroute: watching " + file + " for changes every " + interval.toMillis() + " ms");
        }
        publishAdmin(context, active, watcher, callLog, health, events);
    }

    /**
     * The admin API at /admin/*, behind HTTP Basic with credentials from {@value #CREDENTIALS_PROPERTY}
     * (default conf/dialroute-admin.properties under the container's base), generated at first start.
     * Without readable credentials the API stays off and routing goes on.
     */
    private static void publishAdmin(ServletContext context, ActiveDialPlan active, PlanFileWatcher watcher, JsonCallLog callLog,
                                     DestinationHealth health, CallCounts counts) {
        String configured = System.getProperty(CREDENTIALS_PROPERTY);
        Path credentialsFile = configured != null ? Path.of(configured)
                : Path.of(System.getProperty("catalina.base", "."), "conf", "dialroute-admin.properties");
        AdminCredentials credentials;
        try {
            credentials = AdminCredentials.loadOrCreate(credentialsFile);
        } catch (IOException | RuntimeException e) {
            LOG.severe("dialroute: admin API off: cannot use " + credentialsFile + ": " + e.getMessage());
            return;
        }
        context.addServlet("admin", new AdminServlet(active, watcher, callLog, credentials, health, counts)).addMapping("/admin/*");
        LOG.info(() -> "dialroute: admin API at " + context.getContextPath() + "/admin/ (credentials in " + credentialsFile.toAbsolutePath() + ")");
    }

    @Override
    public void contextDestroyed(ServletContextEvent event) {
        ServletContext context = event.getServletContext();
        if (context.getAttribute(JsonCallLog.class.getName()) instanceof JsonCallLog callLog) {
            callLog.close();
        }
        context.removeAttribute(JsonCallLog.class.getName());
        if (context.getAttribute(WATCHER) instanceof PlanFileWatcher watcher) {
            watcher.close();
        }
        context.removeAttribute(WATCHER);
        context.removeAttribute(RoutingEvents.class.getName());
        context.removeAttribute(DestinationHealth.class.getName());
        context.removeAttribute(ActiveDialPlan.class.getName());
    }

    /** The plan file named by the system property or environment variable, or null for the bundled plan. */
    private static Path configuredFile() {
        String configured = System.getProperty(PLAN_PROPERTY);
        if (configured == null || configured.isBlank()) {
            configured = System.getenv(PLAN_VARIABLE);
        }
        return configured == null || configured.isBlank() ? null : Path.of(configured).toAbsolutePath();
    }

    private static DialPlan bundled(ServletContext context) throws InvalidDialPlanException {
        YamlDialPlanReader reader = new YamlDialPlanReader();
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
