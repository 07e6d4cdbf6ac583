package dialroute.sipstack;

import static dialroute.sipstack.LoopbackSipStack.firstLine;
import static dialroute.sipstack.LoopbackSipStack.readAnswer;
import static dialroute.sipstack.LoopbackSipStack.send;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The parser in a real JAIN-SIP stack on a loopback port, fed the RFC 4475 torture messages the
 * stack got wrong on its own. Asserts what the sender sees on the wire and what reached the
 * stack's listener (the container, in production).
 */
class StrictMessageParserTest {

    private static final Path TORTURE = Path.of("..", "src", "test", "resources", "rfc4475");

    private static LoopbackSipStack stack;

    @BeforeAll
    static void startStack() throws Exception {
        Properties settings = new Properties();
        settings.setProperty("gov.nist.javax.sip.MESSAGE_PARSER_FACTORY", StrictMessageParserFactory.class.getName());
        settings.setProperty("gov.nist.javax.sip.MAX_MESSAGE_SIZE", "10000"); // as conf/mss-sip-stack.properties
        stack = LoopbackSipStack.start("strict-parser-test", settings);
    }

    @AfterAll
    static void stopStack() {
        stack.close();
    }

    @Test
    void repeatedSingleValueHeadersAreRefusedOverUdp() throws Exception {
        String answer = stack.overUdp(torture("multi01", "/UDP 192.0.2.25"));

        assertEquals("SIP/2.0 400 Bad Request", firstLine(answer));
        assertTrue(answer.contains("Warning: 399 dialroute \"repeated CSeq header\""), answer);
        assertTrue(answer.contains("Via: SIP/2.0/UDP 127.0.0.1:"), answer);
        assertTrue(answer.contains("CSeq: 5 INVITE"), "the first CSeq is the one answered: " + answer);
        assertFalse(stack.reached("multi01.98asdh@192.0.2.1"));
    }

    @Test
    void twoContentLengthsAreRefusedOverTcpAndTheConnectionClosed() throws Exception {
        try (Socket socket = stack.connect()) {
            send(socket, torture("mcl01", "/UDP host5.example.net"));
            String answer = readAnswer(socket);
            assertEquals("SIP/2.0 400 Bad Request", firstLine(answer));
            assertTrue(answer.contains("\"repeated Content-Length header\""), answer);
            assertEquals(-1, socket.getInputStream().read(), "where the next request starts is unknowable");
        }
        assertFalse(stack.reached("mcl01.fhn2323orihawfdoa3o4r52o3irsdf"));
    }

    @Test
    void aRequestWithoutCallIdFromAndToIsAnsweredOverUdp() throws Exception {
        String answer = stack.overUdp(torture("insuf", "/UDP 192.0.2.95"));

        assertEquals("SIP/2.0 400 Bad Request", firstLine(answer));
        assertTrue(answer.contains("\"missing From header\""), answer);
        assertTrue(answer.contains(";branch=z9hG4bKkdj.insuf"), answer);
        assertTrue(answer.contains("CSeq: 193942 INVITE"), answer);
    }

    @Test
    void anUnparsableViaIsCopiedAsItCameOverTcp() throws Exception {
        try (Socket socket = stack.connect()) {
            send(socket, torture("badinv01", "/UDP 192.0.2.15"));
            String answer = readAnswer(socket);
            assertEquals("SIP/2.0 400 Bad Request", firstLine(answer));
            assertTrue(answer.contains("Via: SIP/2.0/TCP 127.0.0.1:" + socket.getLocalPort() + ";;,;,,"), answer);
            assertTrue(answer.contains("\"malformed Via header\""), answer);
            assertTrue(answer.contains("Call-ID: badinv01.0ha0isndaksdjasdf3234nas"), answer);
            // It had a body, which must not be read as the next request.
            assertEquals(-1, socket.getInputStream().read());
        }
        assertFalse(stack.reached("badinv01.0ha0isndaksdjasdf3234nas"));
    }

    @Test
    void aConnectionOutlivesAMalformedRequestWithoutBody() throws Exception {
        // RFC 4475 3.1.2.4's CSeq, beyond 2^31-1 (scalar02), in a request that has no body.
        String malformed = options("big-cseq").replace("CSeq: 1 OPTIONS", "CSeq: 36893488147419103232 OPTIONS");
        try (Socket socket = stack.connect()) {
            send(socket, malformed.getBytes(StandardCharsets.UTF_8));
            String answer = readAnswer(socket);
            assertEquals("SIP/2.0 400 Bad Request", firstLine(answer));
            assertTrue(answer.contains("Warning: 399 dialroute \"malformed CSeq header\""), answer);
            assertTrue(answer.contains("CSeq: 36893488147419103232 OPTIONS"), "copied as it came: " + answer);
            assertTrue(answer.contains("Call-ID: big-cseq"), answer);

            send(socket, options("after-big-cseq").getBytes(StandardCharsets.UTF_8));
            assertTrue(firstLine(readAnswer(socket)).startsWith("SIP/2.0 404 "), "the next request on the connection is served");
        }
        assertFalse(stack.reached("big-cseq"));
    }

    @Test
    void aBodyAboveTheLargestMessageIsRefused513AndTheConnectionClosed() throws Exception {
        String oversize = options("oversize").replace("Content-Length: 0", "Content-Length: 20000");
        try (Socket socket = stack.connect()) {
            send(socket, oversize.getBytes(StandardCharsets.UTF_8));
            String answer = readAnswer(socket);
            assertEquals("SIP/2.0 513 Message Too Large", firstLine(answer));
            assertTrue(answer.contains("\"a body of 20000 bytes, above the 10000 taken\""), answer);
            assertEquals(-1, socket.getInputStream().read(), "the body is never read");
        }
        assertFalse(stack.reached("oversize"));
    }

    @Test
    void aMalformedRequestLineIsAnsweredWithAPlainReasonPhrase() throws Exception {
        String answer = stack.overUdp(torture("ltgtruri", "/UDP 192.0.2.5"));

        assertEquals("SIP/2.0 400 Bad Request", firstLine(answer));
        assertTrue(answer.contains("\"malformed request line\""), answer);
    }

    @Test
    void aMalformedAckIsNeverAnswered() throws Exception {
        String ack = options("bad-ack").replace("OPTIONS", "ACK").replace("From: <sip:probe@127.0.0.1>;tag=1\r\n", "");

        assertEquals("", stack.overUdp(ack.getBytes(StandardCharsets.UTF_8)));
        assertFalse(stack.reached("bad-ack"));
    }

    @Test
    void twoRequestsInOneSegmentAreBothServed() throws Exception {
        try (Socket socket = stack.connect()) {
            String dblreq = new String(torture("dblreq", "/UDP 192.0.2.125"), StandardCharsets.ISO_8859_1)
                    .replace("/UDP 192.0.2.15;", "/$transport 127.0.0.1:$client;");
            send(socket, dblreq.getBytes(StandardCharsets.ISO_8859_1));
            stack.awaitReached("dblreq.0ha0isndaksdj99sdfafnl3lk233412");
            stack.awaitReached("dblreq.0ha0isnda977644900765@192.0.2.15");
        }
    }

    @Test
    void wellFormedRequestsPassOnEveryTransport() throws Exception {
        assertTrue(firstLine(stack.overUdp(options("fine-udp").getBytes(StandardCharsets.UTF_8))).startsWith("SIP/2.0 404 "));
        try (Socket socket = stack.connect()) {
            send(socket, options("fine-tcp").getBytes(StandardCharsets.UTF_8));
            assertTrue(firstLine(readAnswer(socket)).startsWith("SIP/2.0 404 "));
        }
        assertTrue(stack.reached("fine-udp") && stack.reached("fine-tcp"));
    }

    private static String options(String callId) {
        return "OPTIONS sip:probe@127.0.0.1 SIP/2.0\r\n"
                + "Via: SIP/2.0/$transport 127.0.0.1:$client;branch=z9hG4bK-" + callId + "\r\n"
                + "Max-Forwards: 70\r\nFrom: <sip:probe@127.0.0.1>;tag=1\r\nTo: <sip:probe@127.0.0.1>\r\n"
                + "Call-ID: " + callId + "\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n";
    }

    /** An RFC 4475 message whose top Via names the sender instead of {@code via} (answers stay on this host). */
    private static byte[] torture(String name, String via) throws IOException {
        String text = new String(Files.readAllBytes(TORTURE.resolve(name + ".dat")), StandardCharsets.ISO_8859_1);
        if (!text.contains(via)) {
            throw new IllegalArgumentException(name + " has no '" + via + "'");
        }
        return text.replaceFirst(java.util.regex.Pattern.quote(via), "/\\$transport 127.0.0.1:\\$client")
                .getBytes(StandardCharsets.ISO_8859_1);
    }
}
