package dialroute.it;

import static dialroute.it.DialrouteDeployment.DIALROUTE;
import static dialroute.it.DialrouteDeployment.DIALROUTE_PORT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dialroute.it.ua.AnswerMode;
import dialroute.it.ua.OutgoingCall;
import dialroute.it.ua.ReceivedRequest;
import dialroute.it.ua.TestPhone;
import java.io.IOException;
import java.time.Duration;

/**
 * Proof that the server still does its job after hostile input: a proxied call (9123, it-plan.yaml)
 * reaches the callee, is answered, ACKed and hung up through dialroute, and a redirected call (8123)
 * gets its 302 with the plan's Contact.
 */
final class RoutingProbe implements AutoCloseable {
    private static final Duration WAIT = Duration.ofSeconds(5);

    private final TestPhone caller;
    private final TestPhone callee;

    private RoutingProbe(TestPhone caller, TestPhone callee) {
        this.caller = caller;
        this.callee = callee;
    }

    /** Phones on {@code callerPort} and on the plan's callee port 5190. */
    static RoutingProbe start(int callerPort) {
        TestPhone callee = TestPhone.start("callee", 5190);
        callee.answerMode(AnswerMode.RING_THEN_ANSWER);
        return new RoutingProbe(TestPhone.start("caller", callerPort), callee);
    }

    /** Fails with what went wrong unless both a proxied and a redirected call work over {@code transport}. */
    void callsStillRoute(String transport) throws IOException {
        OutgoingCall call = caller.call("9123", DIALROUTE, transport);
        ReceivedRequest invite = callee.takeRequest("INVITE", WAIT);
        assertEquals("123", invite.user(), invite.raw());
        assertEquals(200, call.awaitFinal(WAIT).status(), "the proxied call is answered");
        call.ack();
        callee.takeRequest("ACK", WAIT);
        assertEquals(200, call.bye(WAIT).status(), "the proxied call hangs up through dialroute");
        callee.takeRequest("BYE", WAIT);

        String redirect = RawSip.invite("sip:8123@" + DIALROUTE, DIALROUTE_PORT);
        assertTrue(redirect.startsWith("SIP/2.0 302 "), redirect);
        assertTrue(redirect.contains("\r\nContact: <sip:8123@127.0.0.1:5191>\r\n"), redirect);
    }

    @Override
    public void close() {
        caller.close();
        callee.close();
    }
}
