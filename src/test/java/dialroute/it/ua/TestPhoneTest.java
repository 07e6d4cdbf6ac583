package dialroute.it.ua;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The test phone against itself, so the integration tests can trust it: phone to phone with no
 * proxy in between, except for one test that puts a minimal Record-Routing relay in the path to show
 * that ACK and BYE follow the route set. Each test has its own ports in 5270-5299.
 */
@Timeout(30)
class TestPhoneTest {

    private static final Duration WAIT = Duration.ofSeconds(5);

    @Test
    void callAnsweredThenHungUpOverUdp() {
        answeredThenHungUp("udp", 5270, 5271);
    }

    @Test
    void callAnsweredThenHungUpOverTcp() {
        answeredThenHungUp("tcp", 5272, 5273);
    }

    private static void answeredThenHungUp(String transport, int callerPort, int calleePort) {
        try (TestPhone caller = TestPhone.start("caller", callerPort);
             TestPhone callee = TestPhone.start("callee", calleePort)) {

            OutgoingCall call = caller.call("123", callee.hostPort(), transport);

            ReceivedRequest invite = callee.takeRequest("INVITE", WAIT);
            assertEquals("123", invite.user());
            assertEquals("sip:123@127.0.0.1:" + calleePort, invite.requestUri());
            assertEquals(transport, invite.transport());
            assertEquals("<sip:caller@127.0.0.1:" + callerPort + ";transport=" + transport + ">",
                    invite.header("Contact"));
            assertTrue(invite.header("From").startsWith("<sip:caller@127.0.0.1:" + callerPort + ">;tag="),
                    invite.header("From"));

            assertEquals(TestPhone.PRODUCT, invite.header("User-Agent"));

            ReceivedResponse ok = call.awaitFinal(WAIT);
            assertEquals(200, ok.status());
            assertEquals(TestPhone.PRODUCT, ok.header("Server"));
            assertEquals("<sip:123@127.0.0.1:" + calleePort + ";transport=" + transport + ">", ok.header("Contact"));
            assertEquals(ok.header("Contact"), ok.header("m"), "compact form");
            assertEquals(List.of(180), call.provisionals().stream().map(ReceivedResponse::status).toList());
            assertEquals(180, call.awaitProvisional(180, WAIT).status());

            call.ack();
            ReceivedRequest ack = callee.takeRequest("ACK", WAIT);
            assertEquals("sip:123@127.0.0.1:" + calleePort + ";transport=" + transport, ack.requestUri(),
                    "the ACK goes to the callee's Contact");
            assertEquals(transport, ack.transport());

            ReceivedResponse byeOk = call.bye(WAIT);
            assertEquals(200, byeOk.status());
            assertEquals("BYE", byeOk.header("CSeq").replaceAll("^\\d+\\s+", ""));
            ReceivedRequest bye = callee.takeRequest("BYE", WAIT);
            assertEquals(transport, bye.transport());
            assertEquals(invite.header("Call-ID"), bye.header("i"));
        }
    }

    @Test
    void ringingCallCancelledByTheCallerEndsWith487() {
        try (TestPhone caller = TestPhone.start("caller", 5274);
             TestPhone callee = TestPhone.start("callee", 5275)) {
            callee.answerMode(AnswerMode.RING_ONLY);

            OutgoingCall call = caller.call("456", callee.hostPort(), "udp");
            call.awaitProvisional(180, WAIT);
            call.cancel();

            assertEquals(487, call.awaitFinal(WAIT).status());
            ReceivedRequest cancel = callee.takeRequest("CANCEL", WAIT);
            assertEquals("456", cancel.user());
            assertEquals(callee.takeRequest("INVITE", WAIT).header("Via"), cancel.header("Via"),
                    "a CANCEL carries its INVITE's Via, branch included");
            assertThrows(IllegalStateException.class, call::ack, "a 487 is ACKed by the stack, not the test");
        }
    }

    @Test
    void busyCalleeRejectsTheCallWith486() {
        try (TestPhone caller = TestPhone.start("caller", 5276);
             TestPhone callee = TestPhone.start("callee", 5277)) {
            callee.answerMode(AnswerMode.BUSY);

            OutgoingCall call = caller.call("789", callee.hostPort(), "tcp");

            ReceivedResponse busy = call.awaitFinal(WAIT);
            assertEquals(486, busy.status());
            assertTrue(call.provisionals().isEmpty(), call.provisionals().toString());
            assertEquals("789", callee.takeRequest("INVITE", WAIT).user());
            assertThrows(AssertionError.class, () -> call.awaitProvisional(180, WAIT),
                    "a final response ends the wait for a provisional at once");
        }
    }

    @Test
    void optionsAreAnsweredUntilSwitchedOffAndRecordedEitherWay() throws Exception {
        InetAddress loopback = InetAddress.getByName("127.0.0.1");
        try (TestPhone phone = TestPhone.start("probed", 5288);
             DatagramSocket prober = new DatagramSocket(5289, loopback)) {
            prober.setSoTimeout(700);
            sendOptions(prober, 1);
            assertTrue(receive(prober, WAIT).startsWith("SIP/2.0 200 OK\r\n"));
            phone.answerOptions(false);
            sendOptions(prober, 2);
            assertThrows(java.net.SocketTimeoutException.class, () -> receive(prober, Duration.ofMillis(700)), "a silent phone answers nothing");
            // both recorded, answered or not
            assertEquals("options-1@127.0.0.1", phone.takeRequest("OPTIONS", WAIT).header("Call-ID"));
            assertEquals("options-2@127.0.0.1", phone.takeRequest("OPTIONS", WAIT).header("Call-ID"));
        }
    }

    private static void sendOptions(DatagramSocket socket, int n) throws IOException {
        String options = "OPTIONS sip:127.0.0.1:5288 SIP/2.0\r\n"
                + "Via: SIP/2.0/UDP 127.0.0.1:5289;branch=z9hG4bK-options-" + n + "\r\n"
                + "Max-Forwards: 70\r\n"
                + "From: <sip:prober@127.0.0.1:5289>;tag=p" + n + "\r\n"
                + "To: <sip:127.0.0.1:5288>\r\n"
                + "Call-ID: options-" + n + "@127.0.0.1\r\n"
                + "CSeq: 1 OPTIONS\r\n"
                + "Content-Length: 0\r\n\r\n";
        byte[] bytes = options.getBytes(StandardCharsets.US_ASCII);
        socket.send(new DatagramPacket(bytes, bytes.length, new InetSocketAddress("127.0.0.1", 5288)));
    }

    private static String receive(DatagramSocket socket, Duration timeout) throws IOException {
        socket.setSoTimeout((int) timeout.toMillis());
        byte[] buffer = new byte[4096];
        DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
        socket.receive(packet);
        return new String(packet.getData(), 0, packet.getLength(), StandardCharsets.US_ASCII);
    }

    @Test
    void closingAPhoneFreesItsUdpAndTcpPortsAtOnce() throws Exception {
        int callerPort = 5278;
        int calleePort = 5279;
        try (TestPhone caller = TestPhone.start("caller", callerPort);
             TestPhone callee = TestPhone.start("callee", calleePort)) {
            // Leave TCP connections open on both sides, so close() has to tear them down too.
            OutgoingCall call = caller.call("123", callee.hostPort(), "tcp");
            assertEquals(200, call.awaitFinal(WAIT).status());
            call.ack();
            callee.takeRequest("ACK", WAIT);
        }

        InetAddress loopback = InetAddress.getByName("127.0.0.1");
        for (int port : new int[] {callerPort, calleePort}) {
            try (DatagramSocket udp = new DatagramSocket(port, loopback);
                 ServerSocket tcp = new ServerSocket(port, 1, loopback)) {
                assertEquals(port, udp.getLocalPort());
                assertEquals(port, tcp.getLocalPort());
            }
        }
        try (TestPhone again = TestPhone.start("again", calleePort)) {
            assertEquals(calleePort, again.port());
        }
    }

    @Test
    void callThroughARecordRoutingProxyKeepsTheProxyOnTheAckAndByePath() throws Exception {
        try (RecordRoutingRelay proxy = new RecordRoutingRelay(5281, 5282);
             TestPhone callee = TestPhone.start("callee", 5282);
             TestPhone caller = TestPhone.start("caller", 5283)) {
            String recordRoute = "<sip:127.0.0.1:5281;lr>";

            OutgoingCall call = caller.call("123", "127.0.0.1:5281", "udp");

            ReceivedRequest invite = callee.takeRequest("INVITE", WAIT);
            assertEquals(recordRoute, invite.header("Record-Route"));
            ReceivedResponse ok = call.awaitFinal(WAIT);
            assertEquals(200, ok.status());
            assertEquals(List.of(recordRoute), ok.headers("Record-Route"), "the callee echoes Record-Route in its 200");
            assertEquals(recordRoute, call.awaitProvisional(180, WAIT).header("Record-Route"), "... and in its 180");

            call.ack();
            String ackAtProxy = proxy.takeRequest("ACK");
            assertTrue(ackAtProxy.startsWith("ACK sip:123@127.0.0.1:5282;transport=udp SIP/2.0\r\n"), ackAtProxy);
            assertTrue(ackAtProxy.contains("\r\nRoute: " + recordRoute + "\r\n"), ackAtProxy);
            assertEquals(2, callee.takeRequest("ACK", WAIT).headers("Via").size(), "the ACK came through the proxy");

            assertEquals(200, call.bye(WAIT).status());
            String byeAtProxy = proxy.takeRequest("BYE");
            assertTrue(byeAtProxy.contains("\r\nRoute: " + recordRoute + "\r\n"), byeAtProxy);
            assertEquals(2, callee.takeRequest("BYE", WAIT).headers("Via").size(), "the BYE came through the proxy");
        }
    }

    @Test
    void startingOnABusyPortFailsAndLeavesNothingBound() throws Exception {
        InetAddress loopback = InetAddress.getByName("127.0.0.1");
        try (ServerSocket squatter = new ServerSocket(5284, 1, loopback)) {
            IllegalStateException error = assertThrows(IllegalStateException.class, () -> TestPhone.start("late", 5284));
            assertTrue(error.getMessage().contains("127.0.0.1:5284"), error.getMessage());
        }
        try (DatagramSocket udp = new DatagramSocket(5284, loopback)) {
            assertEquals(5284, udp.getLocalPort(), "the UDP port bound before the TCP failure was released");
        }
    }

    @Test
    void aSecondPhoneOnTheSamePortFailsAndTheFirstKeepsWorking() {
        try (TestPhone first = TestPhone.start("first", 5285);
             TestPhone caller = TestPhone.start("caller", 5286)) {
            assertThrows(IllegalStateException.class, () -> TestPhone.start("second", 5285));

            OutgoingCall call = caller.call("123", first.hostPort(), "udp");
            assertEquals(200, call.awaitFinal(WAIT).status());
            assertEquals("123", first.takeRequest("INVITE", WAIT).user());
        }
    }

    @Test
    void waitingForARequestThatNeverComesFailsWithWhatArrived() {
        try (TestPhone phone = TestPhone.start("lonely", 5280)) {
            AssertionError error = assertThrows(AssertionError.class,
                    () -> phone.takeRequest("bye", Duration.ofMillis(100)));
            assertTrue(error.getMessage().contains("'lonely'") && error.getMessage().contains("no BYE within 100 ms"),
                    error.getMessage());
        }
    }

    @Test
    void headerNamesAreCaseInsensitiveAndAcceptCompactForms() {
        ReceivedResponse response = new ReceivedResponse(302, "Moved Temporarily",
                Map.of("Contact", List.of("<sip:123@127.0.0.1:5191>"), "Via", List.of("a", "b")), "raw");

        assertEquals("<sip:123@127.0.0.1:5191>", response.header("contact"));
        assertEquals("<sip:123@127.0.0.1:5191>", response.header("M"));
        assertEquals(List.of("a", "b"), response.headers("v"));
        assertNull(response.header("Record-Route"));
        assertEquals(List.of(), response.headers("Record-Route"));
    }

    /**
     * The least a stateless UDP proxy needs to Record-Route (RFC 3261 16.6, 16.7): it sends INVITEs
     * for any user to the callee, adds its Via and Record-Route, pops its own Route from in-dialog
     * requests and sends them to their Request-URI, and returns responses along the Via path. It
     * records the requests as they reached it.
     */
    private static final class RecordRoutingRelay implements AutoCloseable {

        private final int port;
        private final int calleePort;
        private final DatagramSocket socket;
        private final Map<String, BlockingQueue<String>> requests = new ConcurrentHashMap<>();

        RecordRoutingRelay(int port, int calleePort) throws IOException {
            this.port = port;
            this.calleePort = calleePort;
            this.socket = new DatagramSocket(port, InetAddress.getByName("127.0.0.1"));
            Thread thread = new Thread(this::run, "record-routing-relay-" + port);
            thread.setDaemon(true);
            thread.start();
        }

        /** The next request of that method the relay received, as it received it. */
        String takeRequest(String method) throws InterruptedException {
            String request = queue(method).poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
            if (request == null) {
                throw new AssertionError("the relay received no " + method + " within " + WAIT);
            }
            return request;
        }

        private BlockingQueue<String> queue(String method) {
            return requests.computeIfAbsent(method, m -> new LinkedBlockingQueue<>());
        }

        private void run() {
            byte[] buffer = new byte[65_535];
            while (!socket.isClosed()) {
                DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
                try {
                    socket.receive(packet);
                    relay(new String(packet.getData(), 0, packet.getLength(), StandardCharsets.UTF_8));
                } catch (IOException e) {
                    return; // closed
                }
            }
        }

        private void relay(String message) throws IOException {
            List<String> lines = new ArrayList<>(List.of(message.split("\r\n", -1)));
            if (lines.get(0).startsWith("SIP/2.0 ")) {
                // Pop our Via; the RI writes all Via values on one line, comma-separated.
                int via = indexOf(lines, "Via:");
                lines.set(via, "Via: " + lines.get(via).substring(lines.get(via).indexOf(',') + 1));
                send(lines, sentBy(lines.get(via)));
                return;
            }
            String[] requestLine = lines.get(0).split(" ");
            queue(requestLine[0]).add(message);
            String topVia = lines.get(indexOf(lines, "Via:"));
            lines.removeIf(line -> line.startsWith("Route: ") && line.contains("127.0.0.1:" + port + ";"));
            if (requestLine[0].equals("INVITE")) {
                String user = requestLine[1].substring("sip:".length(), requestLine[1].indexOf('@'));
                requestLine[1] = "sip:" + user + "@127.0.0.1:" + calleePort;
                lines.set(0, String.join(" ", requestLine));
                lines.add(1, "Record-Route: <sip:127.0.0.1:" + port + ";lr>");
            }
            String branch = topVia.substring(topVia.indexOf("branch=") + "branch=".length()).split(";")[0];
            lines.add(1, "Via: SIP/2.0/UDP 127.0.0.1:" + port + ";branch=z9hG4bK-relay-" + branch);
            String target = requestLine[1].substring(requestLine[1].indexOf('@') + 1).split(";")[0];
            send(lines, target);
        }

        private static int indexOf(List<String> lines, String prefix) {
            for (int i = 1; i < lines.size(); i++) {
                if (lines.get(i).startsWith(prefix)) {
                    return i;
                }
            }
            throw new IllegalArgumentException("no " + prefix + " in " + lines);
        }

        /** "Via: SIP/2.0/UDP 127.0.0.1:5283;branch=..." to "127.0.0.1:5283". */
        private static String sentBy(String via) {
            return via.substring("Via: ".length()).trim().split("\\s+")[1].split("[;,]")[0];
        }

        private void send(List<String> lines, String hostPort) throws IOException {
            byte[] bytes = String.join("\r\n", lines).getBytes(StandardCharsets.UTF_8);
            int colon = hostPort.lastIndexOf(':');
            socket.send(new DatagramPacket(bytes, bytes.length,
                    new InetSocketAddress(hostPort.substring(0, colon), Integer.parseInt(hostPort.substring(colon + 1)))));
        }

        @Override
        public void close() {
            socket.close();
        }
    }
}
