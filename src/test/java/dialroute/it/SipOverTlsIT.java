package dialroute.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dialroute.it.ua.AnswerMode;
import dialroute.it.ua.OutgoingCall;
import dialroute.it.ua.ReceivedRequest;
import dialroute.it.ua.ReceivedResponse;
import dialroute.it.ua.TestPhone;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Callers over TLS, to the container's TLS connector on 127.0.0.1:5181 (arquillian.xml; the key
 * pair is generated for each build, see the pom). The plan is src/test/resources/it-plan.yaml: 9
 * proxies to the callee on 5190 over UDP, 8 redirects to 5191.
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class SipOverTlsIT {
    private static final String DIALROUTE_TLS = "127.0.0.1:5181";
    private static final int CALLER_TLS_PORT = 5175;
    private static final Duration WAIT = Duration.ofSeconds(5);
    private static final Duration QUIET = Duration.ofMillis(700);

    private static TestPhone caller;
    private static TestPhone callee;
    private static TestPhone branch;

    @Deployment(testable = false)
    static WebArchive archive() {
        return DialrouteDeployment.sar();
    }

    @BeforeAll
    static void startPhones() {
        caller = TestPhone.startWithTls("tls-caller", 5174, CALLER_TLS_PORT);
        callee = TestPhone.start("callee", 5190);
        branch = TestPhone.start("branch", 5191);
        callee.answerMode(AnswerMode.RING_THEN_ANSWER);
    }

    @AfterAll
    static void stopPhones() {
        caller.close();
        callee.close();
        branch.close();
    }

    @Test
    void proxiedCallFromATlsCallerIsAnsweredAndItsDialogStaysOnTls() {
        OutgoingCall call = caller.call("9123", DIALROUTE_TLS, "tls");

        ReceivedRequest invite = callee.takeRequest("INVITE", WAIT);
        assertEquals("123", invite.user(), invite.raw());
        List<String> vias = invite.headers("Via");
        assertTrue(vias.get(0).contains("127.0.0.1:5180"), "dialroute's own Via, towards the UDP callee, is on top:\n" + invite.raw());
        assertTrue(vias.get(1).startsWith("SIP/2.0/TLS 127.0.0.1:" + CALLER_TLS_PORT),
                "the caller's Via says it came over TLS:\n" + invite.raw());
        assertTrue(recordRoutesOverTls(invite.headers("Record-Route")),
                "dialroute record-routes its TLS side (port 5181, transport=tls or sips:):\n" + invite.raw());

        ReceivedResponse answer = call.awaitFinal(WAIT);
        assertEquals(200, answer.status(), answer.raw());
        assertTrue(answer.headers("Via").get(0).startsWith("SIP/2.0/TLS 127.0.0.1:" + CALLER_TLS_PORT), answer.raw());
        assertTrue(recordRoutesOverTls(answer.headers("Record-Route")), answer.raw());

        // The route set points the caller's ACK and BYE back at dialroute over TLS, and on to the callee.
        call.ack();
        ReceivedRequest ack = callee.takeRequest("ACK", WAIT);
        assertTrue(ack.headers("Via").get(0).contains("127.0.0.1:5180"), "the ACK came through dialroute:\n" + ack.raw());
        assertTrue(ack.headers("Via").get(1).startsWith("SIP/2.0/TLS "), "the caller sent its ACK over TLS:\n" + ack.raw());

        assertEquals(200, call.bye(WAIT).status());
        ReceivedRequest bye = callee.takeRequest("BYE", WAIT);
        assertTrue(bye.headers("Via").get(1).startsWith("SIP/2.0/TLS "), "the caller sent its BYE over TLS:\n" + bye.raw());
    }

    @Test
    void redirectOverTlsAnswers302OnTheTlsConnectionWithTheContact() {
        ReceivedResponse response = caller.call("8123", DIALROUTE_TLS, "tls").awaitFinal(WAIT);

        assertEquals(302, response.status(), response.raw());
        assertEquals("<sip:8123@127.0.0.1:5191>", response.header("Contact"), response.raw());
        assertTrue(response.header("Via").startsWith("SIP/2.0/TLS 127.0.0.1:" + CALLER_TLS_PORT), response.raw());
        assertThrows(AssertionError.class, () -> branch.takeRequest("INVITE", QUIET));
    }

    /** A Record-Route entry for dialroute's TLS listener: port 5181 and transport=tls, or a sips: URI. */
    private static boolean recordRoutesOverTls(List<String> recordRoutes) {
        return recordRoutes.stream()
                .map(value -> value.toLowerCase(Locale.ROOT))
                .anyMatch(value -> value.contains(":5181") && (value.contains("transport=tls") || value.contains("<sips:")));
    }
}
