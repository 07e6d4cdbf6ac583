package dialroute.sipstack;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The valve in a real JAIN-SIP stack (the version the container ships) on a loopback port, with a
 * listener that answers every request it is given 404 statelessly: a request the valve refuses gets
 * the valve's answer and never reaches the listener; a sound request reaches it.
 */
class MalformedRequestValveTest {

    private static final AtomicInteger CALLS = new AtomicInteger();
    private static LoopbackSipStack stack;

    @BeforeAll
    static void startStack() throws Exception {
        Properties settings = new Properties();
        settings.setProperty("gov.nist.javax.sip.SIP_MESSAGE_VALVE",
                "gov.nist.javax.sip.stack.CongestionControlMessageValve," + MalformedRequestValve.class.getName());
        stack = LoopbackSipStack.start("valve-test", settings);
    }

    @AfterAll
    static void stopStack() {
        stack.close();
    }

    @Test
    void soundRequestPassesToTheListener() throws IOException {
        String callId = callId();
        String answer = overUdp(request("OPTIONS", "SIP/2.0", "SIP/2.0", "<sip:caller@127.0.0.1>", "OPTIONS", true, true, callId));
        assertTrue(LoopbackSipStack.firstLine(answer).startsWith("SIP/2.0 404 "), answer);
        assertTrue(stack.reached(callId), "the sound request reached the listener");
    }

    @Test
    void otherSipVersionInTheViaGets505() throws IOException {
        String callId = callId();
        String answer = overUdp(request("OPTIONS", "SIP/2.0", "SIP/7.0", "<sip:caller@127.0.0.1>", "OPTIONS", true, true, callId));
        assertEquals("SIP/2.0 505 Version Not Supported", LoopbackSipStack.firstLine(answer));
        assertNotReached(callId);
    }

    @Test
    void inviteWithoutContactGets400WithPlainReasonAndToTag() throws IOException {
        String callId = callId();
        String answer = overUdp(request("INVITE", "SIP/2.0", "SIP/2.0", "<sip:caller@127.0.0.1>", "INVITE", false, true, callId));
        assertEquals("SIP/2.0 400 Bad Request", LoopbackSipStack.firstLine(answer));
        assertTrue(answer.matches("(?s).*\r\nTo: <sip:7123@127\\.0\\.0\\.1>;tag=\\S+\r\n.*"), answer);
        assertTrue(answer.contains("\r\nCall-ID: " + callId + "\r\n"), answer);
        assertNotReached(callId);
    }

    @Test
    void inviteWithoutContactOverTcpGets400OnTheConnection() throws IOException {
        String callId = callId();
        String answer = overTcp(request("INVITE", "SIP/2.0", "SIP/2.0", "<sip:caller@127.0.0.1>", "INVITE", false, true, callId));
        assertEquals("SIP/2.0 400 Bad Request", LoopbackSipStack.firstLine(answer));
        assertNotReached(callId);
    }

    @Test
    void requestWithoutMaxForwardsGets400() throws IOException {
        String callId = callId();
        String answer = overUdp(request("OPTIONS", "SIP/2.0", "SIP/2.0", "<sip:caller@127.0.0.1>", "OPTIONS", true, false, callId));
        assertEquals("SIP/2.0 400 Bad Request", LoopbackSipStack.firstLine(answer));
        assertNotReached(callId);
    }

    @Test
    void fromWhoseSchemeIsNoSchemeGets400() throws IOException {
        String callId = callId();
        String answer = overUdp(request("OPTIONS", "SIP/2.0", "SIP/2.0", "<si):raw@127.0.0.1>", "OPTIONS", true, true, callId));
        assertEquals("SIP/2.0 400 Bad Request", LoopbackSipStack.firstLine(answer));
        assertNotReached(callId);
    }

    @Test
    void fromWithAnUnknownButWellFormedSchemePasses() throws IOException {
        String callId = callId();
        String answer = overUdp(request("OPTIONS", "SIP/2.0", "SIP/2.0", "<isbn:2983792873>", "OPTIONS", true, true, callId));
        assertTrue(LoopbackSipStack.firstLine(answer).startsWith("SIP/2.0 404 "), answer);
    }

    @Test
    void malformedAckIsDroppedWithoutAnswer() throws IOException {
        String callId = callId();
        String answer = overUdp(request("ACK", "SIP/2.0", "SIP/7.0", "<sip:caller@127.0.0.1>", "ACK", true, true, callId));
        assertEquals("", answer);
        assertNotReached(callId);
    }

    private static String callId() {
        return "valve-" + CALLS.incrementAndGet() + "-" + System.nanoTime();
    }

    private static void assertNotReached(String callId) {
        assertTrue(!stack.reached(callId), "the refused request reached the listener");
    }

    private static String request(String method, String version, String viaVersion, String from, String cseqMethod,
            boolean contact, boolean maxForwards, String callId) {
        return method + " sip:7123@127.0.0.1:" + stack.port() + " " + version + "\r\n"
                + "Via: " + viaVersion + "/$transport 127.0.0.1:$client;branch=z9hG4bK" + callId + "\r\n"
                + (maxForwards ? "Max-Forwards: 70\r\n" : "")
                + "From: " + from + ";tag=caller1\r\n"
                + "To: <sip:7123@127.0.0.1>\r\n"
                + "Call-ID: " + callId + "\r\n"
                + "CSeq: 1 " + cseqMethod + "\r\n"
                + (contact ? "Contact: <sip:caller@127.0.0.1:$client>\r\n" : "")
                + "Content-Length: 0\r\n\r\n";
    }

    private static String overUdp(String request) throws IOException {
        return stack.overUdp(request.getBytes(StandardCharsets.UTF_8));
    }

    /** The first answer's header on the connection, within 3 s. */
    private static String overTcp(String request) throws IOException {
        try (Socket socket = stack.connect()) {
            LoopbackSipStack.send(socket, request.getBytes(StandardCharsets.UTF_8));
            return LoopbackSipStack.readAnswer(socket);
        }
    }
}
