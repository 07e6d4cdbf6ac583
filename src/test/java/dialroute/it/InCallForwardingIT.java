package dialroute.it;

import static dialroute.it.DialrouteDeployment.DIALROUTE;
import static dialroute.it.DialrouteDeployment.DIALROUTE_PORT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dialroute.it.RawSip.Exchange;
import dialroute.it.RawSip.Udp;
import dialroute.it.ua.AnswerMode;
import dialroute.it.ua.OutgoingCall;
import dialroute.it.ua.ReceivedRequest;
import dialroute.it.ua.TestPhone;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Proxied calls whose in-call requests the SIP stack forwards statelessly, as the phones see them
 * on the wire: which Record-Route a call gets, that a route dialroute did not sign is refused, and
 * that a late copy of an INVITE is not taken for a second call once the container's transaction
 * for it has ended. The plan is src/test/resources/it-plan.yaml: 9 proxies to the callee (5190)
 * over UDP without the 9.
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class InCallForwardingIT {
    private static final Duration WAIT = Duration.ofSeconds(5);
    private static final Duration QUIET = Duration.ofMillis(1500);
    private static final String MARK = "dialroute-call=";

    private static TestPhone caller;
    private static TestPhone callee;

    @Deployment(testable = false)
    static WebArchive archive() {
        return DialrouteDeployment.sar();
    }

    @BeforeAll
    static void startPhones() {
        caller = TestPhone.start("caller", 5170);
        callee = TestPhone.start("callee", 5190);
        callee.answerMode(AnswerMode.RING_THEN_ANSWER);
    }

    @AfterAll
    static void stopPhones() {
        caller.close();
        callee.close();
    }

    @Test
    void aUdpCallToAUdpTargetIsRecordRoutedByTheStackAndItsAckAndByeComeThroughDialroute() {
        OutgoingCall call = caller.call("9123", DIALROUTE, "udp");

        ReceivedRequest invite = callee.takeRequest("INVITE", WAIT);
        String recordRoute = invite.headers("Record-Route").get(0);
        assertTrue(recordRoute.contains("127.0.0.1:" + DIALROUTE_PORT) && recordRoute.contains(MARK) && recordRoute.contains(";lr"),
                "dialroute's signed Record-Route on top:\n" + invite.raw());
        assertEquals(1, invite.headers("Record-Route").size(), "only one: the container adds none of its own\n" + invite.raw());

        assertEquals(200, call.awaitFinal(WAIT).status());
        call.ack();
        ReceivedRequest ack = callee.takeRequest("ACK", WAIT);
        assertTrue(ack.headers("Via").get(0).contains("127.0.0.1:" + DIALROUTE_PORT), ack.raw());
        assertTrue(ack.headers("Route").isEmpty(), "dialroute's route is used up:\n" + ack.raw());

        assertEquals(200, call.bye(WAIT).status());
        ReceivedRequest bye = callee.takeRequest("BYE", WAIT);
        assertTrue(bye.headers("Via").get(0).contains("127.0.0.1:" + DIALROUTE_PORT), bye.raw());
    }

    @Test
    void aTcpCallToAUdpTargetGetsOneRecordRoutePerSideAndItsAckAndByeComeThroughDialroute() {
        OutgoingCall call = caller.call("9124", DIALROUTE, "tcp");

        ReceivedRequest invite = callee.takeRequest("INVITE", WAIT);
        var recordRoutes = invite.headers("Record-Route");
        assertEquals(2, recordRoutes.size(), "RFC 5658: one per transport\n" + invite.raw());
        assertTrue(recordRoutes.get(0).contains("transport=udp") && recordRoutes.get(0).contains(MARK),
                "the callee's side on top:\n" + invite.raw());
        assertTrue(recordRoutes.get(1).contains("transport=tcp") && recordRoutes.get(1).contains(MARK),
                "the caller's side below:\n" + invite.raw());

        assertEquals(200, call.awaitFinal(WAIT).status());
        call.ack();
        ReceivedRequest ack = callee.takeRequest("ACK", WAIT);
        assertTrue(ack.headers("Route").isEmpty(), "both of dialroute's routes are used up:\n" + ack.raw());
        assertEquals("udp", ack.transport().toLowerCase(), ack.raw());
        assertEquals(200, call.bye(WAIT).status());
        callee.takeRequest("BYE", WAIT);
    }

    @Test
    void aByeWhoseRouteDialrouteDidNotSignIsRefused403AndGoesNowhere() throws Exception {
        try (Udp udp = Udp.open(DIALROUTE_PORT)) {
            String bye = "BYE sip:callee@127.0.0.1:5190 SIP/2.0\r\n"
                    + "Via: SIP/2.0/UDP 127.0.0.1:" + udp.localPort() + ";branch=z9hG4bK-forged-route;rport\r\n"
                    + "Route: <sip:127.0.0.1:" + DIALROUTE_PORT + ";transport=udp;lr;" + MARK + "00000000000000000000>\r\n"
                    + "Max-Forwards: 70\r\nFrom: <sip:raw@127.0.0.1>;tag=a\r\nTo: <sip:callee@127.0.0.1>;tag=b\r\n"
                    + "Call-ID: forged-route@127.0.0.1\r\nCSeq: 2 BYE\r\nContent-Length: 0\r\n\r\n";
            udp.send(bye.getBytes(StandardCharsets.US_ASCII));

            Exchange exchange = udp.awaitFinal(WAIT);
            assertEquals("403", exchange.statuses(), exchange.toString());
            assertTrue(exchange.responses().get(0).startsWith("SIP/2.0 403 Forbidden\r\n"), exchange.toString());
        }
        assertThrows(AssertionError.class, () -> callee.takeRequest("BYE", QUIET));
    }

    @Test
    void aLateCopyOfAnAnsweredInviteIsNotASecondCall() throws Exception {
        try (Udp udp = Udp.open(DIALROUTE_PORT)) {
            String invite = RawSip.invite("sip:9125@127.0.0.1:" + DIALROUTE_PORT, udp.localPort(), "UDP");
            udp.send(invite.getBytes(StandardCharsets.US_ASCII));
            Exchange exchange = udp.awaitFinal(WAIT);
            assertEquals(200, exchange.finalStatus(), exchange.toString());
            callee.takeRequest("INVITE", WAIT);
            String ok = exchange.responses().get(exchange.responses().size() - 1);
            udp.send(ackFor(invite, ok).getBytes(StandardCharsets.US_ASCII));
            callee.takeRequest("ACK", WAIT);

            // The stack forgets an ended transaction after gov.nist.javax.sip.LINGER_TIMER seconds:
            // 2 in the run configuration, but that setting is JVM-wide in JAIN-SIP and the test
            // phones' stacks in this JVM put it back to its default, 8. This copy comes after that.
            Thread.sleep(9500);
            udp.send(invite.getBytes(StandardCharsets.US_ASCII));

            // Taken for a new call, it would get a 100 Trying from a new transaction, and be proxied.
            Exchange afterCopy = udp.awaitFinal(QUIET);
            assertEquals("-", afterCopy.statuses(), "the copy was taken for a new call:\n" + afterCopy);
            assertThrows(AssertionError.class, () -> callee.takeRequest("INVITE", QUIET), "the copy was routed as a new call");
        }
    }

    /** The ACK for a 2xx: to the callee's Contact, along the route set from the answer's Record-Route. */
    private static String ackFor(String invite, String ok) {
        String contact = uriOf(header(ok, "Contact"));
        return "ACK " + contact + " SIP/2.0\r\n"
                + "Via: " + header(invite, "Via").replace("branch=z9hG4bK", "branch=z9hG4bKack") + "\r\n"
                + "Route: " + header(ok, "Record-Route") + "\r\n"
                + "Max-Forwards: 70\r\n"
                + "From: " + header(invite, "From") + "\r\nTo: " + header(ok, "To") + "\r\n"
                + "Call-ID: " + header(invite, "Call-ID") + "\r\nCSeq: 1 ACK\r\nContent-Length: 0\r\n\r\n";
    }

    private static String header(String message, String name) {
        Matcher m = Pattern.compile("(?im)^" + Pattern.quote(name) + ": *([^\r\n]*)").matcher(message);
        if (!m.find()) {
            throw new AssertionError("no " + name + " in\n" + message);
        }
        return m.group(1);
    }

    private static String uriOf(String nameAddr) {
        int open = nameAddr.indexOf('<');
        return open < 0 ? nameAddr : nameAddr.substring(open + 1, nameAddr.indexOf('>', open));
    }
}
