package dialroute.it;

import static dialroute.it.DialrouteDeployment.DIALROUTE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dialroute.it.ua.OutgoingCall;
import dialroute.it.ua.TestPhone;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The Prometheus scrape endpoint, after a known set of calls. */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class MetricsIT {
    /** The embedded container's HTTP connector (arquillian.xml bindHttpPort). */
    private static final URI METRICS = URI.create("http://127.0.0.1:8888/dialroute/metrics");
    private static final Duration WAIT = Duration.ofSeconds(5);

    @Deployment(testable = false)
    static WebArchive archive() {
        return DialrouteDeployment.sar();
    }

    @Test
    void scrapeShowsThePlanTheCallsAndTheJvm() throws Exception {
        try (TestPhone caller = TestPhone.start("caller", 5173); TestPhone callee = TestPhone.start("callee", 5190)) {
            OutgoingCall proxied = caller.call("9123", DIALROUTE, "udp");
            assertEquals(200, proxied.awaitFinal(WAIT).status());
            proxied.ack();
            assertEquals(200, proxied.bye(WAIT).status());
            assertEquals(403, caller.call("00441234", DIALROUTE, "udp").awaitFinal(WAIT).status());
            assertEquals(403, caller.call("00449999", DIALROUTE, "udp").awaitFinal(WAIT).status());
            assertEquals(302, caller.call("8123", DIALROUTE, "udp").awaitFinal(WAIT).status());
            assertEquals(404, caller.call("5551234", DIALROUTE, "udp").awaitFinal(WAIT).status());
        }
        HttpResponse<String> scrape = HttpClient.newHttpClient().send(HttpRequest.newBuilder(METRICS).timeout(WAIT).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, scrape.statusCode());
        String body = scrape.body();
        for (String line : List.of(
                "dialroute_plan_info{source=\"" + System.getProperty("dialroute.plan") + "\",version=\"",
                "dialroute_calls_total{action=\"reject\",prefix=\"00\"} 2",
                "dialroute_calls_total{action=\"redirect\",prefix=\"8\"} 1",
                "dialroute_calls_total{action=\"reject\",prefix=\"none\"} 1",
                "dialroute_rejects_total{status=\"403\"} 2",
                "dialroute_redirects_total{status=\"302\"} 1",
                "dialroute_call_setup_seconds_count{action=\"reject\"} 3",
                "dialroute_calls_total{action=\"proxy\",prefix=\"9\"} 1",
                "dialroute_destination_attempts_total{destination=\"sip:127.0.0.1:5190\"} 1",
                "dialroute_destination_responses_total{class=\"2xx\",destination=\"sip:127.0.0.1:5190\"} 1",
                "dialroute_call_setup_seconds_count{action=\"proxy\"} 1",
                "jvm_memory_used_bytes{area=\"heap\"}")) {
            assertTrue(body.contains(line), "missing " + line + " in\n" + body);
        }
    }
}
