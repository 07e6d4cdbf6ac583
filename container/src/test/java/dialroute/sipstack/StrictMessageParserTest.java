package dialroute.sipstack;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
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
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.CopyOnWriteArrayList;

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

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The parser in a real JAIN-SIP stack listening on 127.0.0.1 over UDP and TCP, fed the RFC 4475
 * torture messages the stack got wrong on its own. Asserts what the sender sees on the wire and
 * what reached the stack's listener (the container, in production).
 */
class StrictMessageParserTest {

    private static final Path TORTURE = Path.of("..", "src", "test", "resources", "rfc4475");

    private static SipStack stack;
    private static int port;
    private static final List<String> delivered = new CopyOnWriteArrayList<>();

    @BeforeAll
    static void startStack() throws Exception {
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = probe.getLocalPort();
        }
        Properties properties = new Properties();
        properties.setProperty("javax.sip.STACK_NAME", "strict-parser-test");
        properties.setProperty("gov.nist.javax.sip.MESSAGE_PARSER_FACTORY", StrictMessageParserFactory.class.getName());
        SipFactory factory = SipFactory.getInstance();
        factory.setPathName("gov.nist");
        stack = factory.createSipStack(properties);
        ListeningPoint udp = stack.createListeningPoint("127.0.0.1", port, "udp");
        ListeningPoint tcp = stack.createListeningPoint("127.0.0.1", port, "tcp");
        SipProvider provider = stack.createSipProvider(udp);
        provider.addListeningPoint(tcp);
        provider.addSipListener(new Recorder());
        stack.start();
    }

    @AfterAll
    static void stopStack() {
        stack.stop();
    }

    @BeforeEach
    void forget() {
        delivered.clear();
    }

    @Test
    void repeatedSingleValueHeadersAreRefusedOverUdp() throws Exception {
        String answer = overUdp(torture("multi01"));

        assertEquals("SIP/2.0 400 Bad Request", statusLine(answer));
        assertTrue(answer.contains("Warning: 399 dialroute \"repeated CSeq header\""), answer);
        assertTrue(answer.contains("Via: SIP/2.0/UDP 192.0.2.25;branch=z9hG4bKkdjuw"), answer);
        assertTrue(answer.contains("CSeq: 5 INVITE"), "the first CSeq is the one answered: " + answer);
        assertTrue(delivered.isEmpty(), "reached the listener: " + delivered);
    }

    @Test
    void twoContentLengthsAreRefusedOverTcpAndTheConnectionClosed() throws Exception {
        try (Socket socket = connect()) {
            socket.getOutputStream().write(torture("mcl01"));
            String answer = readResponse(socket.getInputStream());
            assertEquals("SIP/2.0 400 Bad Request", statusLine(answer));
            assertTrue(answer.contains("\"repeated Content-Length header\""), answer);
            assertEquals(-1, socket.getInputStream().read(), "where the next request starts is unknowable");
        }
        assertTrue(delivered.isEmpty(), "reached the listener: " + delivered);
    }

    @Test
    void aRequestWithoutCallIdFromAndToIsAnsweredOverUdp() throws Exception {
        String answer = overUdp(torture("insuf"));

        assertEquals("SIP/2.0 400 Bad Request", statusLine(answer));
        assertTrue(answer.contains("\"missing From header\""), answer);
        assertTrue(answer.contains("Via: SIP/2.0/UDP 192.0.2.95;branch=z9hG4bKkdj.insuf"), answer);
        assertTrue(answer.contains("CSeq: 193942 INVITE"), answer);
        assertTrue(delivered.isEmpty());
    }

    @Test
    void anUnparsableViaIsCopiedAsItCameOverTcp() throws Exception {
        try (Socket socket = connect()) {
            socket.getOutputStream().write(torture("badinv01"));
            String answer = readResponse(socket.getInputStream());
            assertEquals("SIP/2.0 400 Bad Request", statusLine(answer));
            assertTrue(answer.contains("Via: SIP/2.0/UDP 192.0.2.15;;,;,,"), answer);
            assertTrue(answer.contains("\"malformed Via header\""), answer);
            assertTrue(answer.contains("Call-ID: badinv01.0ha0isndaksdjasdf3234nas"), answer);
            // It had a body, which must not be read as the next request.
            assertEquals(-1, socket.getInputStream().read());
        }
        assertTrue(delivered.isEmpty());
    }

    @Test
    void aConnectionOutlivesAMalformedRequestWithoutBody() throws Exception {
        // RFC 4475 3.1.2.4's CSeq, beyond 2^31-1 (scalar02), in a request that has no body.
        String malformed = options("big-cseq", "TCP").replace("CSeq: 1 OPTIONS", "CSeq: 36893488147419103232 OPTIONS");
        try (Socket socket = connect()) {
            socket.getOutputStream().write(malformed.getBytes(StandardCharsets.UTF_8));
            String answer = readResponse(socket.getInputStream());
            assertEquals("SIP/2.0 400 Bad Request", statusLine(answer));
            assertTrue(answer.contains("Warning: 399 dialroute \"malformed CSeq header\""), answer);
            assertTrue(answer.contains("CSeq: 36893488147419103232 OPTIONS"), "copied as it came: " + answer);
            assertTrue(answer.contains("Call-ID: big-cseq"), answer);

            socket.getOutputStream().write(options("after-big-cseq", "TCP").getBytes(StandardCharsets.UTF_8));
            waitFor("after-big-cseq");
        }
        assertFalse(delivered.contains("big-cseq"));
    }

    @Test
    void aMalformedRequestLineIsAnsweredWithAPlainReasonPhrase() throws Exception {
        String answer = overUdp(torture("ltgtruri"));

        assertEquals("SIP/2.0 400 Bad Request", statusLine(answer));
        assertTrue(answer.contains("\"malformed request line\""), answer);
        assertTrue(delivered.isEmpty());
    }

    @Test
    void aMalformedAckIsNeverAnswered() throws Exception {
        String ack = options("bad-ack", "UDP").replace("OPTIONS", "ACK").replace("From: <sip:probe@127.0.0.1>;tag=1\r\n", "");

        assertNull(overUdpOrNothing(ack.getBytes(StandardCharsets.UTF_8)));
        assertTrue(delivered.isEmpty());
    }

    @Test
    void wellFormedRequestsPassOnEveryTransport() throws Exception {
        try (DatagramSocket socket = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            byte[] bytes = options("fine-udp", "UDP").getBytes(StandardCharsets.UTF_8);
            socket.send(new DatagramPacket(bytes, bytes.length, InetAddress.getLoopbackAddress(), port));
            waitFor("fine-udp");
        }
        try (Socket socket = connect()) {
            socket.getOutputStream().write(options("fine-tcp", "TCP").getBytes(StandardCharsets.UTF_8));
            waitFor("fine-tcp");
        }
    }

    @Test
    void twoRequestsInOneSegmentBothArrive() throws Exception {
        try (Socket socket = connect()) {
            String dblreq = new String(torture("dblreq"), StandardCharsets.ISO_8859_1)
                    .replace("/UDP 192.0.2.125", "/TCP 127.0.0.1:" + socket.getLocalPort());
            socket.getOutputStream().write(dblreq.getBytes(StandardCharsets.ISO_8859_1));
            waitFor("dblreq.0ha0isndaksdj99sdfafnl3lk233412");
            waitFor("dblreq.0ha0isnda977644900765@192.0.2.15");
            socket.getOutputStream().write(options("after-dblreq", "TCP").getBytes(StandardCharsets.UTF_8));
            waitFor("after-dblreq");
        }
    }

    private static String options(String callId, String transport) {
        return "OPTIONS sip:probe@127.0.0.1 SIP/2.0\r\n"
                + "Via: SIP/2.0/" + transport + " 127.0.0.1:5999;branch=z9hG4bK-" + callId + "\r\n"
                + "Max-Forwards: 70\r\nFrom: <sip:probe@127.0.0.1>;tag=1\r\nTo: <sip:probe@127.0.0.1>\r\n"
                + "Call-ID: " + callId + "\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n";
    }

    private static byte[] torture(String name) throws IOException {
        return Files.readAllBytes(TORTURE.resolve(name + ".dat"));
    }

    private static String overUdp(byte[] message) throws IOException {
        String answer = overUdpOrNothing(message);
        if (answer == null) {
            throw new AssertionError("no answer over UDP");
        }
        return answer;
    }

    private static String overUdpOrNothing(byte[] message) throws IOException {
        try (DatagramSocket socket = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            socket.setSoTimeout(1500);
            socket.send(new DatagramPacket(message, message.length, InetAddress.getLoopbackAddress(), port));
            byte[] buffer = new byte[65535];
            DatagramPacket answer = new DatagramPacket(buffer, buffer.length);
            try {
                socket.receive(answer);
            } catch (SocketTimeoutException e) {
                return null;
            }
            return new String(buffer, 0, answer.getLength(), StandardCharsets.UTF_8);
        }
    }

    private static Socket connect() throws IOException {
        Socket socket = new Socket();
        socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 2000);
        socket.setSoTimeout(3000);
        return socket;
    }

    /** Reads one response up to the end of its headers (the answers here have no body). */
    private static String readResponse(InputStream in) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        while (true) {
            int b = in.read();
            if (b < 0) {
                break;
            }
            out.write(b);
            if (out.toString(StandardCharsets.UTF_8).endsWith("\r\n\r\n")) {
                break;
            }
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    private static String statusLine(String response) {
        return response.substring(0, response.indexOf("\r\n"));
    }

    private static void waitFor(String callId) throws InterruptedException {
        for (int i = 0; i < 50 && !delivered.contains(callId); i++) {
            Thread.sleep(50);
        }
        assertTrue(delivered.contains(callId), callId + " never reached the listener: " + delivered);
        assertFalse(delivered.isEmpty());
    }

    private static final class Recorder implements SipListener {
        @Override
        public void processRequest(RequestEvent event) {
            javax.sip.header.CallIdHeader callId = (javax.sip.header.CallIdHeader) event.getRequest()
                    .getHeader(javax.sip.header.CallIdHeader.NAME);
            delivered.add(callId == null ? "?" : callId.getCallId());
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
    }
}
