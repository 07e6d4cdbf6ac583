package dialroute.app;

import dialroute.dialplan.ActiveDialPlan;
import dialroute.health.DestinationHealth;
import dialroute.metrics.HealthGauges;
import dialroute.metrics.JvmBasics;
import dialroute.metrics.PrometheusRoutingEvents;
import io.prometheus.metrics.exporter.servlet.javax.PrometheusMetricsServlet;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.util.logging.Logger;
import javax.servlet.ServletContext;
import javax.servlet.ServletRegistration;

/**
 * Sets up the metrics of one deployment: a registry of its own (so a redeploy starts from zero
 * instead of colliding with the previous deployment's metrics), JVM basics, and the scrape
 * endpoint {@value #PATH} under the application's context path, on the container's HTTP
 * connector (127.0.0.1 by default).
 */
final class Metrics {
    static final String PATH = "/metrics";
    private static final Logger LOG = Logger.getLogger("dialroute");

    private Metrics() {
    }

    /** Registers the scrape endpoint and returns the listener that counts routing events. */
    static PrometheusRoutingEvents publish(ServletContext context, ActiveDialPlan plans, DestinationHealth health) {
        PrometheusRegistry registry = new PrometheusRegistry();
        JvmBasics.register(registry);
        HealthGauges.register(registry, plans, health);
        PrometheusRoutingEvents events = new PrometheusRoutingEvents(registry);
        ServletRegistration.Dynamic servlet = context.addServlet("metrics", new PrometheusMetricsServlet(registry));
        servlet.addMapping(PATH);
        LOG.info(() -> "dialroute: Prometheus metrics at " + context.getContextPath() + PATH);
        return events;
    }
}
