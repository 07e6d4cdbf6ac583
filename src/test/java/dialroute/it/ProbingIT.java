package dialroute.it;

import static dialroute.it.DialrouteDeployment.DIALROUTE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dialroute.it.ua.AnswerMode;
import dialroute.it.ua.OutgoingCall;
import dialroute.it.ua.ReceivedResponse;
import dialroute.it.ua.TestPhone;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Properties;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Destination health on the wire: dialroute probes probed-a (5196) and probed-b (5197) with OPTIONS
 * every 300 ms (it-plan.yaml: timeout 200 ms, down after 2 failures, up after 2 successes). Rule 41
 * proxies to probed-a then probed-b, rule 42 redirects to both.
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class ProbingIT {
    private static final String ADMIN = "http://127.0.0.1:8888/dialroute/admin";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration WAIT = Duration.ofSeconds(5);
    private static final Duration QUIET = Duration.ofMillis(500);
    /** Two failed probes 300 ms apart (+-10%), each given 200 ms, plus the 100 ms tick, with room for a busy machine. */
    private static final long DOWN_WITHIN_MS = 3000;

    private static TestPhone caller;
    private static TestPhone a;
    private static TestPhone b;
    private final HttpClient http = HttpClient.newHttpClient();

    @Deployment(testable = false)
    static WebArchive archive() {
        return DialrouteDeployment.sar();
    }

    @BeforeAll
    static void phones() {
        caller = TestPhone.start("caller", 5178);
        a = TestPhone.start("probed-a", 5196);
        b = TestPhone.start("probed-b", 5197);
    }

    @AfterAll
    static void hangUp() {
        for (TestPhone phone : new TestPhone[] {caller, a, b}) {
            if (phone != null) {
                phone.close();
            }
        }
    }

    @Test
    void downDestinationsAreSkippedAndComeBackAndTheAdminSwitchOutlivesAReload() throws Exception {
        awaitHealth("probed-a", "up");
        awaitHealth("probed-b", "up");
        assertTrue(a.takeRequest("OPTIONS", WAIT).requestUri().startsWith("sip:127.0.0.1:5196"), "a probe is an OPTIONS to the destination");
        assertEquals("123", answered("41123", a), "both up: the first target takes the call");

        // probed-a goes silent: no answer to OPTIONS nor to INVITEs.
        a.answerOptions(false);
        a.answerMode(AnswerMode.SILENT);
        long silentAt = System.nanoTime();
        awaitHealth("probed-a", "down");
        long tookMs = (System.nanoTime() - silentAt) / 1_000_000;
        assertTrue(tookMs < DOWN_WITHIN_MS, "probed-a down after " + tookMs + " ms");
        JsonNode down = destination("probed-a");
        assertEquals("timeout", down.get("last_reply").asText(), down.toString());
        assertEquals(false, down.get("gets_calls").asBoolean());

        JsonNode explained = admin("GET", "/lookup?number=41123", 200);
        assertEquals("[\"probed-a (down)\"]", explained.get("skipped").toString(), "the admin lookup uses the live health: " + explained);
        assertEquals("sip:123@127.0.0.1:5197;transport=udp", explained.get("proxy").get("chain").get(0).get("uri").asText());

        a.drain("INVITE");
        long start = System.nanoTime();
        assertEquals("124", answered("41124", b), "the call goes to the second target");
        long setupMs = (System.nanoTime() - start) / 1_000_000;
        assertTrue(setupMs < 1800, "skipped outright, not tried and left after the 2 s provisional timeout: " + setupMs + " ms");
        assertNoInvite(a);

        ReceivedResponse redirect = caller.call("42123", DIALROUTE, "udp").awaitFinal(WAIT);
        assertEquals(302, redirect.status(), redirect.raw());
        assertEquals(List.of("<sip:42123@127.0.0.1:5197>"), redirect.headers("Contact"), "the down destination is left out");

        // Both down: 503 with Retry-After for proxy and redirect alike.
        b.answerOptions(false);
        awaitHealth("probed-b", "down");
        for (String number : List.of("41125", "42124")) {
            ReceivedResponse refused = caller.call(number, DIALROUTE, "udp").awaitFinal(WAIT);
            assertEquals(503, refused.status(), refused.raw());
            // up-after 2 x interval 300 ms = 0.6 s, rounded up to whole seconds
            assertEquals("1", refused.header("Retry-After"), refused.raw());
        }
        assertNoInvite(a);
        assertNoInvite(b);

        // Back: answers again, up after two good probes, calls go to probed-a again.
        a.answerOptions(true);
        a.answerMode(AnswerMode.RING_THEN_ANSWER);
        b.answerOptions(true);
        awaitHealth("probed-a", "up");
        awaitHealth("probed-b", "up");
        assertEquals("126", answered("41126", a));

        // The admin takes healthy probed-a out: skipped while its probes still say up.
        JsonNode disabled = admin("POST", "/destinations/probed-a?enabled=false", 200);
        assertEquals(false, disabled.get("enabled").asBoolean(), disabled.toString());
        assertEquals("up", disabled.get("health").asText(), disabled.toString());
        assertEquals("127", answered("41127", b));
        assertNoInvite(a);

        // A reload keeps the switch: it is the admin's, not the plan's.
        Path plan = Path.of(System.getProperty("dialroute.plan"));
        String original = Files.readString(plan);
        String version = admin("GET", "/plan", 200).get("version").asText();
        try {
            Files.writeString(plan, original + "\n# touched by ProbingIT\n");
            awaitVersion(v -> !v.equals(version));
            JsonNode reloaded = destination("probed-a");
            assertEquals(false, reloaded.get("enabled").asBoolean(), reloaded.toString());
            assertEquals("up", reloaded.get("health").asText(), "the probe state outlives the reload too: " + reloaded);
            assertEquals("128", answered("41128", b));
            assertNoInvite(a);
        } finally {
            Files.writeString(plan, original);
            awaitVersion(version::equals);
        }
        admin("POST", "/destinations/probed-a?enabled=true", 200);
        assertEquals("129", answered("41129", a));

        JsonNode rule41 = ruleByPrefix("41");
        assertEquals(1, rule41.get("calls").asLong(), "calls routed by rule 41 since the restored plan went into service: " + rule41);
        JsonNode counted = destination("probed-a");
        assertEquals(3, counted.get("counters").get("attempts").asLong(), counted.toString());
        assertEquals(3, counted.get("counters").get("responses").get("2xx").asLong(), counted.toString());
        assertEquals(3, destination("probed-b").get("counters").get("attempts").asLong());
    }

    @Test
    void destinationsApiRefusesUnknownNamesAndBadSwitchesWithClearErrors() throws Exception {
        JsonNode all = admin("GET", "/destinations", 200);
        JsonNode first = all.get("destinations").get(0);
        assertEquals("a", first.get("name").asText(), all.toString());
        assertEquals("not probed", first.get("health").asText());
        JsonNode probed = destination("probed-a");
        assertEquals(300, probed.get("probe").get("interval_ms").asLong(), probed.toString());
        assertEquals("[\"2xx\",\"404\",\"405\"]", probed.get("probe").get("accept").toString());

        assertEquals("no destination named 'nope' in the plan in service; declared are a, b, probed-a, probed-b",
                admin("POST", "/destinations/nope?enabled=false", 404).get("error").asText());
        assertEquals("'enabled' must be true or false, e.g. POST /admin/destinations/probed-b?enabled=false",
                admin("POST", "/destinations/probed-b?enabled=maybe", 400).get("error").asText());
        assertEquals(true, destination("probed-b").get("enabled").asBoolean(), "a bad request changes nothing");
        assertEquals("use GET or POST here", admin("DELETE", "/destinations/probed-b", 405).get("error").asText());
        HttpResponse<String> anonymous = http.send(HttpRequest.newBuilder(URI.create(ADMIN + "/destinations")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(401, anonymous.statusCode());

        awaitHealth("probed-b", "up");
        HttpResponse<String> scrape = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:8888/dialroute/metrics")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertTrue(scrape.body().contains("dialroute_destination_up{destination=\"probed-b\"} 1"), scrape.body());
        assertTrue(scrape.body().contains("dialroute_destination_enabled{destination=\"a\"} 1"), scrape.body());
    }

    /** The number the callee saw after the caller got 200, ACKed and hung up. */
    private static String answered(String number, TestPhone callee) {
        OutgoingCall call = caller.call(number, DIALROUTE, "udp");
        String user = callee.takeRequest("INVITE", WAIT).user();
        ReceivedResponse answer = call.awaitFinal(WAIT);
        assertEquals(200, answer.status(), answer.raw());
        call.ack();
        assertEquals(200, call.bye(WAIT).status());
        return user;
    }

    private static void assertNoInvite(TestPhone phone) {
        try {
            phone.takeRequest("INVITE", QUIET);
        } catch (AssertionError expected) {
            return;
        }
        throw new AssertionError(phone + " received an INVITE although it was left out");
    }

    private void awaitHealth(String name, String health) throws Exception {
        long deadline = System.nanoTime() + WAIT.toNanos();
        JsonNode last = null;
        while (System.nanoTime() < deadline) {
            last = destination(name);
            if (health.equals(last.get("health").asText())) {
                return;
            }
            Thread.sleep(50);
        }
        throw new AssertionError(name + " not " + health + " within " + WAIT + ": " + last);
    }

    /** Waits until the plan in service has a version that {@code wanted} accepts (the file watcher polls every 200 ms). */
    private void awaitVersion(java.util.function.Predicate<String> wanted) throws Exception {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (System.nanoTime() < deadline) {
            if (wanted.test(admin("GET", "/plan", 200).get("version").asText())) {
                return;
            }
            Thread.sleep(50);
        }
        throw new AssertionError("the plan file change was not reloaded within " + WAIT);
    }

    private JsonNode ruleByPrefix(String prefix) throws Exception {
        for (JsonNode rule : admin("GET", "/plan", 200).get("rules")) {
            if (rule.get("prefix").asText().equals(prefix)) {
                return rule;
            }
        }
        throw new AssertionError("no rule with prefix " + prefix);
    }

    private JsonNode destination(String name) throws Exception {
        return admin("GET", "/destinations/" + name, 200);
    }

    private JsonNode admin(String method, String path, int status) throws Exception {
        Properties credentials = new Properties();
        try (InputStream in = Files.newInputStream(Path.of(System.getProperty("dialroute.admin.credentials")))) {
            credentials.load(in);
        }
        String basic = Base64.getEncoder().encodeToString(
                (credentials.getProperty("user") + ":" + credentials.getProperty("password")).getBytes(StandardCharsets.UTF_8));
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(ADMIN + path))
                .header("Authorization", "Basic " + basic)
                .method(method, HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(status, response.statusCode(), method + " " + path + ": " + response.body());
        return JSON.readTree(response.body());
    }
}
