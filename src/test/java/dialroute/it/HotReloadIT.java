package dialroute.it;

import static dialroute.it.DialrouteDeployment.DIALROUTE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dialroute.it.ua.ReceivedResponse;
import dialroute.it.ua.TestPhone;
import dialroute.testing.LogCapture;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.function.Predicate;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Editing the plan file while calls flow: a valid edit takes effect without a redeploy, a broken
 * one is refused and changes nothing. Time-window rules are checked against the container's real
 * clock, with windows placed around (or away from) the current time.
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class HotReloadIT {
    private static final Duration WAIT = Duration.ofSeconds(5);
    private static final DateTimeFormatter HH_MM = DateTimeFormatter.ofPattern("HH:mm");

    private static TestPhone caller;
    private static Path plan;
    private static String original;
    private static LogCapture log;

    @Deployment(testable = false)
    static WebArchive archive() {
        return DialrouteDeployment.sar();
    }

    @BeforeAll
    static void remember() throws Exception {
        caller = TestPhone.start("caller", 5172);
        plan = Path.of(System.getProperty("dialroute.plan"));
        original = Files.readString(plan);
        log = LogCapture.start();
    }

    @AfterAll
    static void restore() throws Exception {
        try {
            Files.writeString(plan, original);
            awaitResponse("8123", r -> r.header("Contact").contains(":5191>"));
        } finally {
            log.close();
            caller.close();
        }
    }

    @Test
    void editedRouteTakesEffectWhileServingAndABrokenEditChangesNothing() throws Exception {
        assertTrue(call("8123").header("Contact").contains(":5191>"));

        LocalTime now = LocalTime.now(ZoneOffset.UTC);
        String aroundNow = now.minusMinutes(30).format(HH_MM) + "-" + now.plusMinutes(30).format(HH_MM);
        String awayFromNow = now.plusHours(2).format(HH_MM) + "-" + now.plusHours(3).format(HH_MM);
        Files.writeString(plan, original.replace("sip:127.0.0.1:5191\n", "sip:127.0.0.1:5199\n") + """
                  - prefix: "68"
                    when: {time: {hours: "%s", zone: UTC}}
                    mode: reject
                    status: 486
                    reason: Open Now
                  - prefix: "68"
                    when: {time: {hours: "%s", zone: UTC}}
                    mode: reject
                    status: 480
                    reason: Later
                  - prefix: "68"
                    mode: reject
                    status: 404
                """.formatted(awayFromNow, aroundNow));

        ReceivedResponse moved = awaitResponse("8123", r -> r.header("Contact").contains(":5199>"));
        assertEquals("<sip:8123@127.0.0.1:5199>", moved.header("Contact"));
        ReceivedResponse timed = call("68123");
        assertEquals(480, timed.status(), "the window around now holds, the one two hours away does not");
        assertEquals("Later", timed.reason());
        assertTrue(log.any(m -> m.startsWith("dialroute: reloaded dial plan " + plan)), log.lines().toString());

        String serving = Files.readString(plan);
        Files.writeString(plan, serving.replace("mode: redirect", "mode: redirekt"));
        log.await(m -> m.startsWith("dialroute: reload refused, still serving version"), WAIT);
        assertTrue(log.any(m -> m.contains("unknown mode 'redirekt'; use proxy, redirect or reject")), log.lines().toString());
        assertEquals("<sip:8123@127.0.0.1:5199>", call("8123").header("Contact"), "the refused edit changed nothing");
        assertEquals(480, call("68123").status());
    }

    private static ReceivedResponse call(String number) {
        return caller.call(number, DIALROUTE, "udp").awaitFinal(WAIT);
    }

    /** Calls until the response satisfies {@code done}; the watcher polls every 200 ms. */
    private static ReceivedResponse awaitResponse(String number, Predicate<ReceivedResponse> done) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        ReceivedResponse last = null;
        while (System.nanoTime() < deadline) {
            last = call(number);
            if (done.test(last)) {
                return last;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("the edit did not take effect within " + WAIT + "; last response:\n" + (last == null ? "none" : last.raw()));
    }
}
