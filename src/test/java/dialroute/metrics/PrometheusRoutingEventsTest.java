package dialroute.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dialroute.dialplan.Call;
import dialroute.dialplan.DialPlan;
import dialroute.dialplan.Hop;
import dialroute.dialplan.InvalidDialPlanException;
import dialroute.dialplan.yaml.YamlDialPlanReader;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.ByteArrayOutputStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Random;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import org.junit.jupiter.api.Test;

class PrometheusRoutingEventsTest {

    @Test
    void countsDecisionsDestinationsAndPlansUnderStableNames() throws Exception {
        PrometheusRegistry registry = new PrometheusRegistry();
        PrometheusRoutingEvents events = new PrometheusRoutingEvents(registry);
        DialPlan plan = new YamlDialPlanReader().read(Path.of("dialplans/sample.yaml"));
        events.planLoaded(plan, false);

        var proxied = plan.route(new Call("7123", "2000", null, Instant.EPOCH), new Random(1));
        events.decided(proxied);
        Hop backup = proxied.hops().get(0);
        Hop pstn = proxied.hops().get(1);
        events.attempted(backup);
        events.answered(backup, 503);
        events.failedOver(proxied, backup);
        events.attempted(pstn);
        events.answered(pstn, 200);
        events.completed(proxied, 200, Duration.ofMillis(30));
        events.decided(plan.lookup("00441234"));
        events.decided(plan.lookup("8123"));
        events.decided(plan.lookup("2123"));
        assertEquals(1, events.routed(proxied.rule()));
        events.planLoaded(plan, true);
        events.reloadRefused(new InvalidDialPlanException(List.of()));

        String scrape = scrape(registry);
        for (String line : List.of(
                "dialroute_calls_total{action=\"proxy\",prefix=\"7\"} 1",
                "dialroute_calls_total{action=\"reject\",prefix=\"00\"} 1",
                "dialroute_calls_total{action=\"reject\",prefix=\"none\"} 1",
                "dialroute_calls_total{action=\"redirect\",prefix=\"8\"} 1",
                "dialroute_rejects_total{status=\"403\"} 1",
                "dialroute_rejects_total{status=\"404\"} 1",
                "dialroute_redirects_total{status=\"302\"} 1",
                "dialroute_destination_attempts_total{destination=\"backup\"} 1",
                "dialroute_destination_attempts_total{destination=\"pstn\"} 1",
                "dialroute_destination_responses_total{class=\"5xx\",destination=\"backup\"} 1",
                "dialroute_destination_responses_total{class=\"2xx\",destination=\"pstn\"} 1",
                "dialroute_failovers_total{prefix=\"7\"} 1",
                "dialroute_destination_failovers_total{destination=\"backup\"} 1",
                "dialroute_call_setup_seconds_count{action=\"proxy\"} 1",
                "dialroute_plan_info{source=\"dialplans/sample.yaml\",version=\"" + plan.version() + "\"} 1",
                "dialroute_plan_rules 10",
                "dialroute_plan_reloads_total{result=\"ok\"} 1",
                "dialroute_plan_reloads_total{result=\"refused\"} 1")) {
            assertTrue(scrape.contains(line), "missing " + line + " in\n" + scrape);
        }
        assertEquals(new CallCounts.DestinationCounts(1, Map.of("5xx", 1L), 1), events.destinations().get("backup"));
        assertEquals(new CallCounts.DestinationCounts(1, Map.of("2xx", 1L), 0), events.destinations().get("pstn"));
        assertEquals(0, events.routed(proxied.rule()), "the reload started the per-rule counts over");
    }

    /** What the container's CallAdmissionValve shows in JMX (the metrics read it by name). */
    public interface ValveStandInMXBean {
        long getRefusedCalls();
    }

    @Test
    void callsTheSipStackRefusedAreReadFromEveryStacksValveInJmx() throws Exception {
        MBeanServer jmx = ManagementFactory.getPlatformMBeanServer();
        ObjectName first = new ObjectName("dialroute:type=CallAdmission,stack=\"metrics-test-1\"");
        ObjectName second = new ObjectName("dialroute:type=CallAdmission,stack=\"metrics-test-2\"");
        PrometheusRegistry registry = new PrometheusRegistry();
        new PrometheusRoutingEvents(registry);
        assertTrue(scrape(registry).contains("dialroute_calls_shed_by_sip_stack_total 0"), "no valve: nothing refused");
        try {
            jmx.registerMBean((ValveStandInMXBean) () -> 42, first);
            jmx.registerMBean((ValveStandInMXBean) () -> 8, second);

            String scrape = scrape(registry);

            assertTrue(scrape.contains("dialroute_calls_shed_by_sip_stack_total 50"), scrape);
        } finally {
            for (ObjectName name : List.of(first, second)) {
                if (jmx.isRegistered(name)) {
                    jmx.unregisterMBean(name);
                }
            }
        }
    }

    private static String scrape(PrometheusRegistry registry) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        new PrometheusTextFormatWriter(false).write(out, registry.scrape());
        return out.toString(StandardCharsets.UTF_8);
    }
}
