package dialroute.sipstack;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import javax.management.MBeanServer;
import javax.management.ObjectName;
import javax.sip.ServerTransaction;
import javax.sip.message.Request;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The valve in a real JAIN-SIP stack (LoopbackSipStack) on a loopback port. The
 * listener stands in for the container: it takes each INVITE into a server transaction and
 * answers 180 (the call rings, its transaction stays), and answers anything else but ACK 200
 * statelessly. The limit is 0.1 new calls/s with a burst of 2, so two calls are admitted and the
 * next is refused for the next 10 s, however slow the box.
 */
class CallAdmissionValveTest {

    private static final AtomicInteger CALLS = new AtomicInteger();
    /** The container's part: an INVITE rings in its own server transaction, anything else but ACK gets 200. */
    private static final LoopbackSipStack.Answer RINGING = (provider, messages, request) -> {
        if (Request.INVITE.equals(request.getMethod())) {
            ServerTransaction transaction = provider.getNewServerTransaction(request);
            transaction.sendResponse(messages.createResponse(180, request));
        } else if (!Request.ACK.equals(request.getMethod())) {
            provider.sendResponse(messages.createResponse(200, request));
        }
    };
    private LoopbackSipStack stack;
    private int port;

    @AfterEach
    void stopStack() {
        if (stack != null) {
            stack.close();
        }
        System.clearProperty(CallAdmissionValve.MAX_CPS);
        System.clearProperty(CallAdmissionValve.BURST_MS);
        System.clearProperty(CallAdmissionValve.RETRY_AFTER);
        System.clearProperty(CallAdmissionValve.MAX_QUEUE_WAIT_MS);
    }

    @Test
    void aNewCallWhoseInviteWaitedTooLongInTheReceiveQueueGets503WithRetryAfter() throws Exception {
        // No rate limit; one worker thread, which the first call keeps busy for 400 ms, so the
        // second call's INVITE waits in the receive queue past the 100 ms allowed.
        System.setProperty(CallAdmissionValve.MAX_QUEUE_WAIT_MS, "100");
        startStack("0", "200", "6", slowFor("slow-call"), "1");
        try (DatagramSocket slowCaller = caller(); DatagramSocket caller = caller()) {
            sendOnly(slowCaller, invite(slowCaller, "slow-call", "slow"));
            Thread.sleep(50); // the worker has taken it
            String lateCall = callId();

            String answer = send(caller, invite(caller, lateCall, "late"));

            assertEquals("SIP/2.0 503 Service Unavailable", firstLine(answer));
            assertTrue(answer.contains("\r\nRetry-After: 6\r\n"), answer);
            assertFalse(stack.reached(lateCall), "the late INVITE reached the container");
            assertEquals("SIP/2.0 180 Ringing", firstLine(send(slowCaller, "")), "the call in progress goes on");

            // Caught up: the next call waits no time and goes on.
            assertEquals("SIP/2.0 180 Ringing", firstLine(send(caller, invite(caller, callId(), "next"))));
        }
    }

    /** RINGING, but the INVITE of {@code callId} holds the worker thread for 400 ms first. */
    private static LoopbackSipStack.Answer slowFor(String callId) {
        return (provider, messages, request) -> {
            if (request.getHeader("Call-ID").toString().contains(callId)) {
                Thread.sleep(400);
            }
            RINGING.answer(provider, messages, request);
        };
    }

    @Test
    void newCallsAboveTheRateGet503WithRetryAfterAndNeverReachTheContainer() throws Exception {
        startStack("0.1", "20000", "7");
        try (DatagramSocket caller = caller()) {
            assertEquals("SIP/2.0 180 Ringing", firstLine(send(caller, invite(caller, callId(), "first"))));
            assertEquals("SIP/2.0 180 Ringing", firstLine(send(caller, invite(caller, callId(), "second"))));

            String callId = callId();
            String answer = send(caller, invite(caller, callId, "third"));

            assertEquals("SIP/2.0 503 Service Unavailable", firstLine(answer));
            assertTrue(answer.contains("\r\nRetry-After: 7\r\n"), answer);
            assertTrue(answer.matches("(?s).*\r\nTo: <sip:8123@127\\.0\\.0\\.1>;tag=overload-\\S+\r\n.*"), answer);
            assertFalse(stack.reached(callId), "the refused INVITE reached the container");
        }
    }

    @Test
    void refusalsAreCountedInJmxForTheMetricsUntilTheStackStops() throws Exception {
        startStack("0.1", "20000", "5");
        ObjectName name = new ObjectName("dialroute:type=CallAdmission,stack=" + ObjectName.quote(stack.name()));
        MBeanServer jmx = ManagementFactory.getPlatformMBeanServer();
        try (DatagramSocket caller = caller()) {
            for (int i = 0; i < 4; i++) {
                send(caller, invite(caller, callId(), "call" + i));
            }
        }

        assertEquals(2L, jmx.getAttribute(name, "RefusedCalls"));
        assertEquals(0.1, jmx.getAttribute(name, "MaxCallsPerSecond"));
        assertEquals(1, jmx.queryNames(new ObjectName(CallAdmissionMXBean.OBJECT_NAME_PATTERN), null).stream()
                .filter(name::equals).count());
        stack.close();
        stack = null;
        assertFalse(jmx.isRegistered(name), "a stopped stack's valve leaves no count behind");
    }

    @Test
    void aRetransmittedInviteOfAnAdmittedCallIsAnsweredByItsTransactionEvenWhenTheLimitIsReached() throws Exception {
        startStack("0.1", "20000", "5");
        try (DatagramSocket caller = caller()) {
            String firstCall = callId();
            String first = invite(caller, firstCall, "first");
            send(caller, first);
            send(caller, invite(caller, callId(), "second"));
            assertEquals("SIP/2.0 503 Service Unavailable", firstLine(send(caller, invite(caller, callId(), "third"))),
                    "the limit is reached");

            String again = send(caller, first);

            assertEquals("SIP/2.0 180 Ringing", firstLine(again), "the stack answers from the call's transaction");
            assertEquals(1, stack.timesReached("INVITE", firstCall),
                    "the retransmission is absorbed by the stack, not passed on as a new call");
        }
    }

    @Test
    void theAckForThe503IsDroppedWhileOtherAcksPass() throws Exception {
        startStack("0.1", "20000", "5");
        try (DatagramSocket caller = caller()) {
            send(caller, invite(caller, callId(), "first"));
            send(caller, invite(caller, callId(), "second"));
            String refusedCall = callId();
            String answer = send(caller, invite(caller, refusedCall, "third"));
            Matcher tag = Pattern.compile("\r\nTo: [^\r]*;tag=(\\S+)\r\n").matcher(answer);
            assertTrue(tag.find(), answer);

            sendOnly(caller, ack(caller, refusedCall, "third", tag.group(1)));
            String otherCall = callId();
            sendOnly(caller, ack(caller, otherCall, "other", "callee-tag"));

            stack.awaitReached("ACK", otherCall);
            assertFalse(stack.reached(refusedCall), "the ACK for the valve's 503 reached the container");
        }
    }

    @Test
    void requestsInsideCallsAndOtherMethodsPassWhenTheLimitIsReached() throws Exception {
        startStack("0.1", "20000", "5");
        try (DatagramSocket caller = caller()) {
            send(caller, invite(caller, callId(), "first"));
            send(caller, invite(caller, callId(), "second"));

            String reInvite = invite(caller, callId(), "reinvite").replace("To: <sip:8123@127.0.0.1>",
                    "To: <sip:8123@127.0.0.1>;tag=callee");
            assertEquals("SIP/2.0 180 Ringing", firstLine(send(caller, reInvite)));
            String options = invite(caller, callId(), "options").replace("INVITE", "OPTIONS");
            assertEquals("SIP/2.0 200 OK", firstLine(send(caller, options)));
        }
    }

    @Test
    void zeroMeansNoLimit() throws Exception {
        startStack("0", "20000", "5");
        try (DatagramSocket caller = caller()) {
            for (int i = 0; i < 5; i++) {
                assertEquals("SIP/2.0 180 Ringing", firstLine(send(caller, invite(caller, callId(), "call" + i))));
            }
        }
    }

    @Test
    void aSettingThatIsNoNumberNamesItself() {
        Properties p = new Properties();
        p.setProperty(CallAdmissionValve.MAX_CPS, "lots");

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> CallAdmissionValve.number(p, CallAdmissionValve.MAX_CPS, 1));
        assertEquals("dialroute.overload.max-cps must be a number >= 0, was 'lots'", e.getMessage());
        assertEquals(4500, CallAdmissionValve.number(new Properties(), CallAdmissionValve.MAX_CPS, 4500));
    }

    @Test
    void aBrokenSettingLeavesCallsUnlimitedRatherThanRefusingThemAll() throws Exception {
        startStack("lots", "20000", "5");
        try (DatagramSocket caller = caller()) {
            for (int i = 0; i < 3; i++) {
                assertEquals("SIP/2.0 180 Ringing", firstLine(send(caller, invite(caller, callId(), "call" + i))));
            }
        }
    }

    private void startStack(String maxCps, String burstMs, String retryAfter) throws Exception {
        startStack(maxCps, burstMs, retryAfter, RINGING, null);
    }

    /** @param workers the stack's worker threads (null: its default) */
    private void startStack(String maxCps, String burstMs, String retryAfter, LoopbackSipStack.Answer answer, String workers)
            throws Exception {
        System.setProperty(CallAdmissionValve.MAX_CPS, maxCps);
        System.setProperty(CallAdmissionValve.BURST_MS, burstMs);
        System.setProperty(CallAdmissionValve.RETRY_AFTER, retryAfter);
        Properties settings = new Properties();
        settings.setProperty("gov.nist.javax.sip.SIP_MESSAGE_VALVE", CallAdmissionValve.class.getName());
        settings.setProperty("gov.nist.javax.sip.MESSAGE_PROCESSOR_FACTORY", FreshFirstMessageProcessorFactory.class.getName());
        if (workers != null) {
            settings.setProperty("gov.nist.javax.sip.THREAD_POOL_SIZE", workers);
            // The listener on the worker thread itself, as the container's is: what it does holds the worker.
            settings.setProperty("gov.nist.javax.sip.REENTRANT_LISTENER", "true");
        }
        // A name of its own per test: each test starts its stack with its own limit.
        stack = LoopbackSipStack.start("admission-valve-test-" + CALLS.incrementAndGet(), settings, answer);
        port = stack.port();
    }

    private static DatagramSocket caller() throws IOException {
        DatagramSocket socket = new DatagramSocket(0, InetAddress.getLoopbackAddress());
        socket.setSoTimeout(3000);
        return socket;
    }

    private static String callId() {
        return "admission-" + CALLS.incrementAndGet() + "-" + System.nanoTime();
    }

    private String invite(DatagramSocket caller, String callId, String branch) {
        return "INVITE sip:8123@127.0.0.1:" + port + " SIP/2.0\r\n"
                + "Via: SIP/2.0/UDP 127.0.0.1:" + caller.getLocalPort() + ";branch=z9hG4bK-" + branch + "-" + callId + "\r\n"
                + "Max-Forwards: 70\r\n"
                + "From: <sip:caller@127.0.0.1>;tag=caller1\r\n"
                + "To: <sip:8123@127.0.0.1>\r\n"
                + "Call-ID: " + callId + "\r\n"
                + "CSeq: 1 INVITE\r\n"
                + "Contact: <sip:caller@127.0.0.1:" + caller.getLocalPort() + ">\r\n"
                + "Content-Length: 0\r\n\r\n";
    }

    /** RFC 3261 17.1.1.3: the ACK for a non-2xx final answer has the INVITE's branch and the answer's To tag. */
    private String ack(DatagramSocket caller, String callId, String branch, String toTag) {
        return "ACK sip:8123@127.0.0.1:" + port + " SIP/2.0\r\n"
                + "Via: SIP/2.0/UDP 127.0.0.1:" + caller.getLocalPort() + ";branch=z9hG4bK-" + branch + "-" + callId + "\r\n"
                + "Max-Forwards: 70\r\n"
                + "From: <sip:caller@127.0.0.1>;tag=caller1\r\n"
                + "To: <sip:8123@127.0.0.1>;tag=" + toTag + "\r\n"
                + "Call-ID: " + callId + "\r\n"
                + "CSeq: 1 ACK\r\n"
                + "Content-Length: 0\r\n\r\n";
    }

    private void sendOnly(DatagramSocket caller, String message) throws IOException {
        byte[] bytes = message.getBytes(StandardCharsets.UTF_8);
        caller.send(new DatagramPacket(bytes, bytes.length, InetAddress.getLoopbackAddress(), port));
    }

    /**
     * Sends one request (none when {@code message} is empty) and returns the first answer that is
     * not 100 Trying ("" if none within 3 s).
     */
    private String send(DatagramSocket caller, String message) throws IOException {
        if (!message.isEmpty()) {
            sendOnly(caller, message);
        }
        byte[] buffer = new byte[4096];
        while (true) {
            DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
            try {
                caller.receive(packet);
            } catch (SocketTimeoutException e) {
                return "";
            }
            String answer = new String(packet.getData(), 0, packet.getLength(), StandardCharsets.UTF_8);
            if (!answer.startsWith("SIP/2.0 100 ")) {
                return answer;
            }
        }
    }

    private static String firstLine(String answer) {
        int end = answer.indexOf("\r\n");
        return end < 0 ? answer : answer.substring(0, end);
    }
}
