package dialroute.it;

import static dialroute.it.DialrouteDeployment.DIALROUTE;
import static dialroute.it.DialrouteDeployment.DIALROUTE_PORT;
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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * What keeps dialroute from being used as an open relay or from feeding a loop: Max-Forwards,
 * rules limited to trusted source networks, and a plan that points a rule back at dialroute
 * itself. Plan: src/test/resources/it-plan.yaml, prefixes 9, 47, 48 and 49.
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class RelayProtectionIT {
    private static final Duration WAIT = Duration.ofSeconds(5);
    private static final Duration QUIET = Duration.ofMillis(700);

    private static TestPhone caller;
    private static TestPhone callee;

    @Deployment(testable = false)
    static WebArchive archive() {
        return DialrouteDeployment.sar();
    }

    @BeforeAll
    static void startPhones() {
        caller = TestPhone.start("relay-caller", 5175);
        callee = TestPhone.start("relay-callee", 5190);
        callee.answerMode(AnswerMode.RING_THEN_ANSWER);
    }

    @AfterAll
    static void stopPhones() {
        caller.close();
        callee.close();
    }

    @Test
    void maxForwardsZeroGets483AndNothingIsForwarded() throws Exception {
        String response = RawSip.invite("sip:9123@" + DIALROUTE, DIALROUTE_PORT, 0);

        assertTrue(response.startsWith("SIP/2.0 483 "), response);
        assertThrows(AssertionError.class, () -> callee.takeRequest("INVITE", QUIET));
    }

    @Test
    void forwardedInviteCarriesMaxForwardsLoweredByOne() throws Exception {
        RawSip.invite("sip:9123@" + DIALROUTE, DIALROUTE_PORT, 5);

        ReceivedRequest invite = callee.takeRequest("INVITE", WAIT);
        assertEquals("4", invite.header("Max-Forwards"), invite.raw());
    }

    @Test
    void ruleForAnotherNetworkRefusesALoopbackCallerWithItsOwnStatus() {
        ReceivedResponse response = caller.call("47123", DIALROUTE, "udp").awaitFinal(WAIT);

        assertEquals(403, response.status(), response.raw());
        assertEquals("Not From A Trusted Network", response.reason());
        assertThrows(AssertionError.class, () -> callee.takeRequest("INVITE", QUIET));
    }

    @Test
    void ruleForTheCallersNetworkProxiesTheCall() {
        OutgoingCall call = caller.call("48123", DIALROUTE, "udp");

        ReceivedRequest invite = callee.takeRequest("INVITE", WAIT);
        assertEquals("123", invite.user(), invite.raw());
        assertEquals(200, call.awaitFinal(WAIT).status());
        call.ack();
        callee.takeRequest("ACK", WAIT);
        assertEquals(200, call.bye(WAIT).status());
        callee.takeRequest("BYE", WAIT);
    }

    @Test
    void ruleThatPointsBackAtDialrouteIsAnswered482AtOnce() {
        long started = System.nanoTime();
        ReceivedResponse response = caller.call("49123", DIALROUTE, "udp").awaitFinal(WAIT);
        long millis = (System.nanoTime() - started) / 1_000_000;

        // Not 483 after seventy trips through itself: the first pass sees the target is dialroute.
        assertEquals(482, response.status(), response.raw());
        assertEquals("Loop Detected", response.reason());
        assertTrue(millis < 1000, "answered after " + millis + " ms");
        assertThrows(AssertionError.class, () -> callee.takeRequest("INVITE", QUIET));

        // And it leaves the server routing.
        OutgoingCall call = caller.call("9123", DIALROUTE, "udp");
        callee.takeRequest("INVITE", WAIT);
        assertEquals(200, call.awaitFinal(WAIT).status());
        call.ack();
        callee.takeRequest("ACK", WAIT);
        assertEquals(200, call.bye(WAIT).status());
        callee.takeRequest("BYE", WAIT);
    }
}
