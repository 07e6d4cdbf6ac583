package dialroute.sipstack;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import javax.sip.DialogTerminatedEvent;
import javax.sip.IOExceptionEvent;
import javax.sip.ListeningPoint;
import javax.sip.RequestEvent;
import javax.sip.ResponseEvent;
import javax.sip.SipFactory;
import javax.sip.SipListener;
import javax.sip.SipProvider;
import javax.sip.SipStack;
import javax.sip.TimeoutEvent;
import javax.sip.TransactionTerminatedEvent;
import javax.sip.message.MessageFactory;
import javax.sip.message.Request;

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
    private static final List<String> REACHED = new CopyOnWriteArrayList<>();
    private static SipStack stack;
    private static int port;

    @BeforeAll
    static void startStack() throws Exception {
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = probe.getLocalPort();
        }
        Properties properties = new Properties();
        properties.setProperty("javax.sip.STACK_NAME", "valve-test");
        properties.setProperty("javax.sip.AUTOMATIC_DIALOG_SUPPORT", "off");
        properties.setProperty("gov.nist.javax.sip.SIP_MESSAGE_VALVE",
                "gov.nist.javax.sip.stack.CongestionControlMessageValve," + MalformedRequestValve.class.getName());
        SipFactory factory = SipFactory.getInstance();
        factory.setPathName("gov.nist");
        stack = factory.createSipStack(properties);
        ListeningPoint udp = stack.createListeningPoint("127.0.0.1", port, ListeningPoint.UDP);
        ListeningPoint tcp = stack.createListeningPoint("127.0.0.1", port, ListeningPoint.TCP);
        SipProvider provider = stack.createSipProvider(udp);
        provider.addListeningPoint(tcp);
        MessageFactory messages = factory.createMessageFactory();
        provider.addSipListener(new SipListener() {
            @Override
            public void processRequest(RequestEvent event) {
                Request request = event.getRequest();
                REACHED.add(request.getHeader("Call-ID").toString().trim());
                if (!Request.ACK.equals(request.getMethod())) {
                    try {
                        provider.sendResponse(messages.createResponse(404, request));
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                }
            }

            @Override
            public void processResponse(ResponseEvent event) {
            }

            @Override
            public void processTimeout(TimeoutEvent event) {
            }

            @Override
            public void processIOException(IOExceptionEvent event) {
            }

            @Override
            public void processTransactionTerminated(TransactionTerminatedEvent event) {
            }

            @Override
            public void processDialogTerminated(DialogTerminatedEvent event) {
            }
        });
        stack.start();
    }

    @AfterAll
    static void stopStack() {
        stack.stop();
    }

    @Test
    void soundRequestPassesToTheListener() throws IOException {
        String callId = callId();
        String answer = overUdp(request("OPTIONS", "SIP/2.0", "SIP/2.0", "<sip:caller@127.0.0.1>", "OPTIONS", true, true, callId));
        assertTrue(firstLine(answer).startsWith("SIP/2.0 404 "), answer);
        assertTrue(REACHED.contains("Call-ID: " + callId), "the sound request reached the listener");
    }

    @Test
    void otherSipVersionInTheViaGets505() throws IOException {
        String callId = callId();
        String answer = overUdp(request("OPTIONS", "SIP/2.0", "SIP/7.0", "<sip:caller@127.0.0.1>", "OPTIONS", true, true, callId));
        assertEquals("SIP/2.0 505 Version Not Supported", firstLine(answer));
        assertNotReached(callId);
    }

    @Test
    void inviteWithoutContactGets400WithPlainReasonAndToTag() throws IOException {
        String callId = callId();
        String answer = overUdp(request("INVITE", "SIP/2.0", "SIP/2.0", "<sip:caller@127.0.0.1>", "INVITE", false, true, callId));
        assertEquals("SIP/2.0 400 Bad Request", firstLine(answer));
        assertTrue(answer.matches("(?s).*\r\nTo: <sip:7123@127\\.0\\.0\\.1>;tag=\\S+\r\n.*"), answer);
        assertTrue(answer.contains("\r\nCall-ID: " + callId + "\r\n"), answer);
        assertNotReached(callId);
    }

    @Test
    void inviteWithoutContactOverTcpGets400OnTheConnection() throws IOException {
        String callId = callId();
        String answer = overTcp(request("INVITE", "SIP/2.0", "SIP/2.0", "<sip:caller@127.0.0.1>", "INVITE", false, true, callId));
        assertEquals("SIP/2.0 400 Bad Request", firstLine(answer));
        assertNotReached(callId);
    }

    @Test
    void requestWithoutMaxForwardsGets400() throws IOException {
        String callId = callId();
        String answer = overUdp(request("OPTIONS", "SIP/2.0", "SIP/2.0", "<sip:caller@127.0.0.1>", "OPTIONS", true, false, callId));
        assertEquals("SIP/2.0 400 Bad Request", firstLine(answer));
        assertNotReached(callId);
    }

    @Test
    void fromWhoseSchemeIsNoSchemeGets400() throws IOException {
        String callId = callId();
        String answer = overUdp(request("OPTIONS", "SIP/2.0", "SIP/2.0", "<si):raw@127.0.0.1>", "OPTIONS", true, true, callId));
        assertEquals("SIP/2.0 400 Bad Request", firstLine(answer));
        assertNotReached(callId);
    }

    @Test
    void fromWithAnUnknownButWellFormedSchemePasses() throws IOException {
        String callId = callId();
        String answer = overUdp(request("OPTIONS", "SIP/2.0", "SIP/2.0", "<isbn:2983792873>", "OPTIONS", true, true, callId));
        assertTrue(firstLine(answer).startsWith("SIP/2.0 404 "), answer);
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
        assertTrue(!REACHED.contains("Call-ID: " + callId), "the refused request reached the listener");
    }

    private static String request(String method, String version, String viaVersion, String from, String cseqMethod,
            boolean contact, boolean maxForwards, String callId) {
        return method + " sip:7123@127.0.0.1:" + port + " " + version + "\r\n"
                + "Via: " + viaVersion + "/$transport 127.0.0.1:$client;branch=z9hG4bK" + callId + "\r\n"
                + (maxForwards ? "Max-Forwards: 70\r\n" : "")
                + "From: " + from + ";tag=caller1\r\n"
                + "To: <sip:7123@127.0.0.1>\r\n"
                + "Call-ID: " + callId + "\r\n"
                + "CSeq: 1 " + cseqMethod + "\r\n"
                + (contact ? "Contact: <sip:caller@127.0.0.1:$client>\r\n" : "")
                + "Content-Length: 0\r\n\r\n";
    }

    private static String firstLine(String answer) {
        int end = answer.indexOf("\r\n");
        return end < 0 ? answer : answer.substring(0, end);
    }

    /** The first answer within 3 s, or "" when none came. */
    private static String overUdp(String request) throws IOException {
        try (DatagramSocket socket = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
            byte[] bytes = request.replace("$transport", "UDP").replace("$client", String.valueOf(socket.getLocalPort()))
                    .getBytes(StandardCharsets.UTF_8);
            socket.send(new DatagramPacket(bytes, bytes.length, InetAddress.getLoopbackAddress(), port));
            socket.setSoTimeout(3000);
            DatagramPacket packet = new DatagramPacket(new byte[65536], 65536);
            try {
                socket.receive(packet);
            } catch (SocketTimeoutException e) {
                return "";
            }
            return new String(packet.getData(), 0, packet.getLength(), StandardCharsets.UTF_8);
        }
    }

    /** What came back on the connection within 3 s (the first answer's header). */
    private static String overTcp(String request) throws IOException {
        try (Socket socket = new Socket()) {
            socket.bind(new InetSocketAddress("127.0.0.1", 0));
            socket.connect(new InetSocketAddress("127.0.0.1", port), 3000);
            socket.getOutputStream().write(request.replace("$transport", "TCP")
                    .replace("$client", String.valueOf(socket.getLocalPort())).getBytes(StandardCharsets.UTF_8));
            socket.setSoTimeout(3000);
            InputStream in = socket.getInputStream();
            StringBuilder got = new StringBuilder();
            byte[] buffer = new byte[8192];
            try {
                int n;
                while (!got.toString().contains("\r\n\r\n") && (n = in.read(buffer)) > 0) {
                    got.append(new String(buffer, 0, n, StandardCharsets.UTF_8));
                }
            } catch (SocketTimeoutException e) {
                // what arrived so far is the answer
            }
            return got.toString();
        }
    }
}
