package dialroute.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import dialroute.it.ua.TestPhone;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Properties;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The admin HTTP API, as an admin's script would use it. */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class AdminApiIT {
    private static final String ADMIN = "http://127.0.0.1:8888/dialroute/admin";
    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient http = HttpClient.newHttpClient();

    @Deployment(testable = false)
    static WebArchive archive() {
        return DialrouteDeployment.sar();
    }

    @Test
    void credentialsAreGeneratedOwnerOnlyAndRequired() throws Exception {
        Path file = Path.of(System.getProperty("dialroute.admin.credentials"));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));

        HttpResponse<String> anonymous = http.send(HttpRequest.newBuilder(URI.create(ADMIN + "/plan")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(401, anonymous.statusCode());
        assertTrue(anonymous.headers().firstValue("WWW-Authenticate").orElse("").startsWith("Basic"));
        assertTrue(JSON.readTree(anonymous.body()).get("error").asText().startsWith("authentication required"));

        HttpResponse<String> wrong = http.send(HttpRequest.newBuilder(URI.create(ADMIN + "/plan"))
                .header("Authorization", basic("admin", "not-the-password")).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(401, wrong.statusCode());
    }

    @Test
    void planShowsVersionRulesAndDestinations() throws Exception {
        JsonNode plan = ok("GET", "/plan");
        assertEquals(System.getProperty("dialroute.plan"), plan.get("source").asText());
        assertEquals(12, plan.get("version").asText().length());
        JsonNode first = plan.get("rules").get(0);
        assertEquals("9", first.get("prefix").asText());
        assertEquals("proxy sequential sip:127.0.0.1:5190", first.get("action").asText());
        assertEquals("sip:127.0.0.1:5190", plan.get("destinations").get("a").asText());
    }

    @Test
    void lookupExplainsTheDecision() throws Exception {
        JsonNode answer = ok("GET", "/lookup?number=66123&caller=2000");
        assertEquals("reject", answer.get("action").asText(), answer.toString());
        assertEquals(2, answer.get("candidates").size(), answer.toString());
        assertEquals("conditions_failed", answer.get("candidates").get(0).get("verdict").asText(), answer.toString());
    }

    @Test
    void badInputGetsAClearJsonError() throws Exception {
        assertError("GET", "/lookup", 400, "'number' is required, e.g. /admin/lookup?number=9123");
        assertError("GET", "/lookup?number=9123&source=pbx.example.com", 400, "'source' must be an IP address, was 'pbx.example.com'");
        assertError("GET", "/lookup?number=9123&at=tomorrow", 400,
                "'at' must be an ISO instant such as 2026-11-30T09:00:00Z, was 'tomorrow'");
        assertError("GET", "/nothing", 404, "no such admin resource '/nothing'; use /plan, /lookup, /reload, /calllog or /destinations");
        assertError("GET", "/reload", 405, "use POST here");
    }

    @Test
    void reloadOfABrokenFileListsEveryProblemAndChangesNothing() throws Exception {
        Path plan = Path.of(System.getProperty("dialroute.plan"));
        String original = Files.readString(plan);
        String version = ok("GET", "/plan").get("version").asText();
        try {
            // Written and read back in one step: the file watcher may see it too, and refuses it the same way.
            Files.writeString(plan, original.replace("mode: redirect", "mode: redirekt"));
            HttpResponse<String> refused = send("POST", "/reload?dry-run=true&numbers=8123");
            assertEquals(422, refused.statusCode(), refused.body());
            JsonNode problems = JSON.readTree(refused.body()).get("problems");
            assertTrue(problems.size() >= 1, refused.body());
            assertTrue(problems.get(0).get("message").asText().startsWith("unknown mode 'redirekt'"), refused.body());
            assertEquals(version, ok("GET", "/plan").get("version").asText(), "nothing changed");

            HttpResponse<String> realRefused = send("POST", "/reload");
            assertEquals(422, realRefused.statusCode());
            assertEquals(version, ok("GET", "/plan").get("version").asText(), "nothing changed");
        } finally {
            Files.writeString(plan, original);
        }
        JsonNode reloaded = JSON.readTree(send("POST", "/reload?numbers=8123,9123").body());
        assertEquals(version, reloaded.get("in_service").asText());
        assertEquals(0, reloaded.get("changed").size(), reloaded.toString());
    }

    @Test
    void callLogWritesOneJsonLinePerCallAndCanBeSwitchedOff() throws Exception {
        Path log = Path.of(System.getProperty("dialroute.calllog.file"));
        assertEquals(false, ok("POST", "/calllog?enabled=false").get("enabled").asBoolean());
        try (TestPhone caller = TestPhone.start("caller", 5174)) {
            assertEquals(403, caller.call("00440001", DialrouteDeployment.DIALROUTE, "udp").awaitFinal(Duration.ofSeconds(5)).status());
            assertEquals(true, ok("POST", "/calllog?enabled=true").get("enabled").asBoolean());
            assertEquals(403, caller.call("00440002", DialrouteDeployment.DIALROUTE, "udp").awaitFinal(Duration.ofSeconds(5)).status());
        }
        JsonNode line = null;
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (line == null && System.nanoTime() < deadline) {
            for (String l : Files.exists(log) ? Files.readAllLines(log) : List.<String>of()) {
                if (l.contains("00440001")) {
                    throw new AssertionError("a call made while the log was off was written: " + l);
                }
                if (l.contains("00440002")) {
                    line = JSON.readTree(l);
                }
            }
            Thread.sleep(50);
        }
        assertTrue(line != null, "no line for 00440002 in " + log);
        assertEquals("reject", line.get("action").asText());
        assertEquals(403, line.get("final_status").asInt());
        assertEquals("00", line.get("rule").get("prefix").asText());
        assertEquals("caller", line.get("caller").asText());
        assertError("POST", "/calllog?enabled=maybe", 400, "'enabled' must be true or false");
    }

    @Test
    void webPageIsServedBehindTheLoginAndCrossSitePostsAreRefused() throws Exception {
        HttpResponse<String> anonymous = http.send(HttpRequest.newBuilder(URI.create(ADMIN + "/")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(401, anonymous.statusCode());
        HttpResponse<String> page = send("GET", "/");
        assertEquals(200, page.statusCode());
        assertTrue(page.headers().firstValue("Content-Type").orElse("").startsWith("text/html"), page.headers().toString());
        assertTrue(page.headers().firstValue("Content-Security-Policy").orElse("").contains("default-src 'self'"));
        assertTrue(page.body().contains("ui/admin.js"), page.body());
        assertEquals(200, send("GET", "/ui/admin.js").statusCode());
        assertEquals(200, send("GET", "/ui/admin.css").statusCode());
        assertEquals(302, send("GET", "").statusCode());

        // A request that changes nothing either way: refused before it is read, or refused as bad input.
        HttpResponse<String> crossSite = send("POST", "/calllog?enabled=maybe", "Origin", "http://attacker.example");
        assertEquals(403, crossSite.statusCode(), crossSite.body());
        assertEquals("cross-site request refused: the Origin header does not name this server",
                JSON.readTree(crossSite.body()).get("error").asText());
        HttpResponse<String> sameSite = send("POST", "/calllog?enabled=maybe", "Origin", "http://127.0.0.1:8888");
        assertEquals(400, sameSite.statusCode(), sameSite.body());
    }

    private JsonNode ok(String method, String path) throws Exception {
        HttpResponse<String> response = send(method, path);
        assertEquals(200, response.statusCode(), response.body());
        return JSON.readTree(response.body());
    }

    private void assertError(String method, String path, int status, String message) throws Exception {
        HttpResponse<String> response = send(method, path);
        assertEquals(status, response.statusCode(), response.body());
        assertEquals(message, JSON.readTree(response.body()).get("error").asText());
    }

    private HttpResponse<String> send(String method, String path, String... headers) throws Exception {
        Properties credentials = new Properties();
        try (InputStream in = Files.newInputStream(Path.of(System.getProperty("dialroute.admin.credentials")))) {
            credentials.load(in);
        }
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(ADMIN + path))
                .header("Authorization", basic(credentials.getProperty("user"), credentials.getProperty("password")))
                .method(method, HttpRequest.BodyPublishers.noBody());
        if (headers.length > 0) {
            request.headers(headers);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String basic(String user, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }
}
