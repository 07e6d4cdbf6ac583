package dialroute.it;

import static dialroute.it.DialrouteDeployment.DIALROUTE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dialroute.it.ua.AnswerMode;
import dialroute.it.ua.OutgoingCall;
import dialroute.it.ua.ReceivedResponse;
import dialroute.it.ua.TestPhone;
import java.time.Duration;
import java.util.List;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Failover, forking, weights, multi-Contact redirects, translation and caller conditions, on the
 * wire through the deployed archive. Rules 61-66 of src/test/resources/it-plan.yaml; callee a
 * listens on 5190 and b on 5192.
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class PlanCapabilitiesIT {
    private static final Duration WAIT = Duration.ofSeconds(5);
    private static final Duration QUIET = Duration.ofMillis(700);

    private static TestPhone caller;
    private static TestPhone a;
    private static TestPhone b;

    @Deployment(testable = false)
    static WebArchive archive() {
        return DialrouteDeployment.sar();
    }

    @BeforeAll
    static void startPhones() {
        caller = TestPhone.start("caller", 5171);
        a = TestPhone.start("a", 5190);
        b = TestPhone.start("b", 5192);
    }

    @AfterAll
    static void stopPhones() {
        caller.close();
        a.close();
        b.close();
    }

    @AfterEach
    void forgetRequests() {
        for (TestPhone phone : List.of(a, b)) {
            for (String method : List.of("INVITE", "ACK", "BYE", "CANCEL")) {
                phone.drain(method);
            }
            phone.answerMode(AnswerMode.RING_THEN_ANSWER);
        }
    }

    @Test
    void sequentialFailsOverOn503AndTheCallerSeesOnlyTheAnswer() {
        b.answerMode(AnswerMode.UNAVAILABLE);
        OutgoingCall call = caller.call("61123", DIALROUTE, "udp");

        assertEquals("123", b.takeRequest("INVITE", WAIT).user());
        assertEquals("123", a.takeRequest("INVITE", WAIT).user());
        answeredAndHungUp(call);
        a.takeRequest("BYE", WAIT);
    }

    @Test
    void sequentialFailsOverWhenTheFirstTargetSendsNoProvisionalResponse() {
        b.answerMode(AnswerMode.SILENT);
        long start = System.nanoTime();
        OutgoingCall call = caller.call("61124", DIALROUTE, "udp");

        b.takeRequest("INVITE", WAIT);
        a.takeRequest("INVITE", WAIT);
        long waitedMs = (System.nanoTime() - start) / 1_000_000;
        // provisional-timeout: 1s in the plan; the ring timeout would be minutes.
        assertTrue(waitedMs >= 900 && waitedMs < 4000, "failover after " + waitedMs + " ms");
        answeredAndHungUp(call);
    }

    @Test
    void sequentialStopsAtAFailureThatIsNoFailoverStatus() {
        b.answerMode(AnswerMode.BUSY);
        ReceivedResponse response = caller.call("61125", DIALROUTE, "udp").awaitFinal(WAIT);

        assertEquals(486, response.status(), response.raw());
        b.takeRequest("INVITE", WAIT);
        // 486 Busy Here is the callee's answer, not a broken server: nobody else is tried.
        assertThrows(AssertionError.class, () -> a.takeRequest("INVITE", QUIET));
    }

    @Test
    void parallelForkAnswersWithTheBranchThatAnswersAndHidesTheBusyOne() {
        b.answerMode(AnswerMode.BUSY);
        OutgoingCall call = caller.call("62123", DIALROUTE, "udp");

        assertEquals("123", a.takeRequest("INVITE", WAIT).user());
        assertEquals("123", b.takeRequest("INVITE", WAIT).user());
        answeredAndHungUp(call);
    }

    @Test
    void parallelForkCancelsTheBranchThatLost() {
        // b rings at once and a answers after 300 ms, as people do. (When a loser's 180 and the
        // winner's 200 reach the container at the very same moment, the container can miss the
        // loser; dialroute cancels it then itself, but that race cannot be staged reliably.)
        b.answerMode(AnswerMode.RING_ONLY);
        a.answerMode(AnswerMode.RING_THEN_ANSWER_LATE);
        OutgoingCall call = caller.call("62124", DIALROUTE, "udp");

        b.takeRequest("INVITE", WAIT);
        a.takeRequest("INVITE", WAIT);
        answeredAndHungUp(call);
        b.takeRequest("CANCEL", WAIT);
    }

    @Test
    void weightedSpreadsAThousandCallsSeventyThirty() {
        a.answerMode(AnswerMode.BUSY); // ends each call at its first target
        b.answerMode(AnswerMode.BUSY);
        int calls = 1000;
        for (int i = 0; i < calls; i++) {
            assertEquals(486, caller.call("63" + (1000 + i), DIALROUTE, "udp").awaitFinal(WAIT).status());
        }
        int toA = a.drain("INVITE").size();
        int toB = b.drain("INVITE").size();
        assertEquals(calls, toA + toB);
        double shareA = toA * 100.0 / calls;
        assertEquals(70.0, shareA, 5.0, "a got " + toA + " and b " + toB + " of " + calls);
    }

    @Test
    void redirectListsThreeContactsInPreferenceOrderWithQValues() {
        ReceivedResponse response = caller.call("64123", DIALROUTE, "udp").awaitFinal(WAIT);

        assertEquals(302, response.status(), response.raw());
        assertEquals(List.of("<sip:64123@127.0.0.1:5191>;q=1.0", "<sip:64123@127.0.0.1:5192>;q=0.5;expires=60",
                "<sip:64123@127.0.0.1:5193>;q=0.1"), response.headers("Contact"), response.raw());
        assertThrows(AssertionError.class, () -> b.takeRequest("INVITE", QUIET));
    }

    @Test
    void translationRewritesTheNumberByRegex() {
        OutgoingCall call = caller.call("65201", DIALROUTE, "udp");
        assertEquals("+44201", a.takeRequest("INVITE", WAIT).user());
        answeredAndHungUp(call);
    }

    @Test
    void ruleForOneCallerAppliesOnlyToThatCaller() {
        OutgoingCall allowed = caller.call("66123", DIALROUTE, "udp", "1000");
        assertEquals("123", a.takeRequest("INVITE", WAIT).user());
        answeredAndHungUp(allowed);

        ReceivedResponse refused = caller.call("66123", DIALROUTE, "udp", "2000").awaitFinal(WAIT);
        assertEquals(403, refused.status(), refused.raw());
    }

    /** The caller got 200 OK, ACKed it and hung up with a 200 to its BYE. */
    private static void answeredAndHungUp(OutgoingCall call) {
        ReceivedResponse answer = call.awaitFinal(WAIT);
        assertEquals(200, answer.status(), answer.raw());
        call.ack();
        assertEquals(200, call.bye(WAIT).status());
    }
}
