package dialroute.it;

import static dialroute.it.DialrouteDeployment.DIALROUTE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dialroute.it.ua.AnswerMode;
import dialroute.it.ua.OutgoingCall;
import dialroute.it.ua.ReceivedRequest;
import dialroute.it.ua.ReceivedResponse;
import dialroute.it.ua.TestPhone;
import java.time.Duration;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Real calls through the deployed archive, checked on the wire at both ends. The plan is
 * src/test/resources/it-plan.yaml: 9 proxies to the callee (5190) without the 9, 7 proxies to the
 * callee over TCP as +49..., 8 redirects to 5191, 00 is barred.
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class CallRoutingIT {
    private static final Duration WAIT = Duration.ofSeconds(5);
    /** How long a request that must not come is waited for. */
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
        caller = TestPhone.start("caller", 5170);
        callee = TestPhone.start("callee", 5190);
        branch = TestPhone.start("branch", 5191);
    }

    @AfterAll
    static void stopPhones() {
        caller.close();
        callee.close();
        branch.close();
    }

    @BeforeEach
    void calleeAnswers() {
        callee.answerMode(AnswerMode.RING_THEN_ANSWER);
    }

    @ParameterizedTest(name = "caller over {0}")
    @ValueSource(strings = {"udp", "tcp"})
    void proxiedCallReachesTheCalleeWithoutThe9AndEndsThroughDialroute(String transport) {
        OutgoingCall call = caller.call("9123", DIALROUTE, transport);

        ReceivedRequest invite = callee.takeRequest("INVITE", WAIT);
        assertEquals("123", invite.user(), invite.raw());
        // The target names no transport, so it is reached over UDP whatever the caller used.
        assertEquals("udp", invite.transport().toLowerCase(), invite.raw());
        assertTrue(invite.headers("Via").get(0).contains("127.0.0.1:5180"), "dialroute's Via is on top:\n" + invite.raw());
        assertTrue(invite.header("Record-Route").contains("127.0.0.1:5180"), "dialroute record-routes:\n" + invite.raw());

        ReceivedResponse answer = call.awaitFinal(WAIT);
        assertEquals(200, answer.status(), answer.raw());
        assertTrue(answer.header("Record-Route").contains("127.0.0.1:5180"), answer.raw());

        call.ack();
        ReceivedRequest ack = callee.takeRequest("ACK", WAIT);
        assertTrue(ack.headers("Via").get(0).contains("127.0.0.1:5180"), "the ACK came through dialroute:\n" + ack.raw());

        assertEquals(200, call.bye(WAIT).status());
        ReceivedRequest bye = callee.takeRequest("BYE", WAIT);
        assertTrue(bye.headers("Via").get(0).contains("127.0.0.1:5180"), "the BYE came through dialroute:\n" + bye.raw());
    }

    @Test
    void targetThatNamesTcpGetsTheCallOverTcpWithTheNumberRewritten() {
        OutgoingCall call = caller.call("7301234", DIALROUTE, "udp");

        ReceivedRequest invite = callee.takeRequest("INVITE", WAIT);
        assertEquals("+49301234", invite.user(), invite.raw());
        assertEquals("tcp", invite.transport().toLowerCase(), invite.raw());

        assertEquals(200, call.awaitFinal(WAIT).status());
        call.ack();
        callee.takeRequest("ACK", WAIT);
        assertEquals(200, call.bye(WAIT).status());
        callee.takeRequest("BYE", WAIT);
    }

    @ParameterizedTest(name = "caller over {0}")
    @ValueSource(strings = {"udp", "tcp"})
    void redirectAnswers302WithTheNumberKeptAndSendsNothingOnward(String transport) {
        ReceivedResponse response = caller.call("8123", DIALROUTE, transport).awaitFinal(WAIT);

        assertEquals(302, response.status(), response.raw());
        assertEquals("Moved Temporarily", response.reason());
        assertEquals(1, response.headers("Contact").size(), response.raw());
        assertEquals("<sip:8123@127.0.0.1:5191>", response.header("Contact"), response.raw());
        // A redirect server never starts a request of its own: the caller goes there itself.
        assertThrows(AssertionError.class, () -> branch.takeRequest("INVITE", QUIET));
    }

    @Test
    void requestUriNamingAnotherHostIsStillRoutedOnlyByThePlan() throws Exception {
        // No open relay: the host in the Request-URI is never where dialroute sends a call.
        String response = RawSip.invite("sip:9321@198.51.100.7:5060", DialrouteDeployment.DIALROUTE_PORT);
        ReceivedRequest invite = callee.takeRequest("INVITE", WAIT);
        assertEquals("321", invite.user());
        assertTrue(invite.requestUri().startsWith("sip:321@127.0.0.1:5190"), invite.requestUri());
        assertTrue(response.startsWith("SIP/2.0 200 OK\r\n"), response);
        // The raw caller sends no ACK; the callee's 2xx retransmissions end by themselves.
    }

    @Test
    void numberNoRuleMatchesGets404() {
        ReceivedResponse response = caller.call("5551234", DIALROUTE, "udp").awaitFinal(WAIT);
        assertEquals(404, response.status(), response.raw());
        assertEquals("Not Found", response.reason());
    }

    @Test
    void barredPrefixGets403WithTheReasonFromThePlan() {
        ReceivedResponse response = caller.call("00441234", DIALROUTE, "tcp").awaitFinal(WAIT);
        assertEquals(403, response.status(), response.raw());
        assertEquals("International Calls Barred", response.reason());
        assertThrows(AssertionError.class, () -> callee.takeRequest("INVITE", QUIET));
    }

    @Test
    void cancellingARingingProxiedCallReachesTheCalleeAndEndsWith487() {
        callee.answerMode(AnswerMode.RING_ONLY);
        OutgoingCall call = caller.call("9555", DIALROUTE, "udp");
        assertEquals("555", callee.takeRequest("INVITE", WAIT).user());
        call.awaitProvisional(180, WAIT);

        call.cancel();

        callee.takeRequest("CANCEL", WAIT);
        ReceivedResponse response = call.awaitFinal(WAIT);
        assertEquals(487, response.status(), response.raw());
    }

    @Test
    void busyCalleeIsReportedToTheCaller() {
        callee.answerMode(AnswerMode.BUSY);
        ReceivedResponse response = caller.call("9556", DIALROUTE, "udp").awaitFinal(WAIT);
        assertEquals(486, response.status(), response.raw());
        assertEquals("556", callee.takeRequest("INVITE", WAIT).user());
    }
}
