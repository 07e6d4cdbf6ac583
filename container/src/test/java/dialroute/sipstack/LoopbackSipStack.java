package dialroute.sipstack;

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
import javax.sip.header.CallIdHeader;
import javax.sip.message.MessageFactory;
import javax.sip.message.Request;

/**
 * A real JAIN-SIP stack (the version the container ships) listening on 127.0.0.1 over UDP and TCP
 * on a free port, with a listener standing in for the container: it records the method and Call-ID
 * of every request it is given and answers it as the test says (by default 404, statelessly, to
 * all but ACK). The tests send raw bytes to it and read what comes back, as a peer would.
 */
final class LoopbackSipStack implements AutoCloseable {

    /** How the stand-in for the container answers a request it is given. */
    interface Answer {
        void answer(SipProvider provider, MessageFactory messages, Request request) throws Exception;
    }

    /** 404 to every request but ACK, statelessly. */
    static final Answer NOT_FOUND = (provider, messages, request) -> {
        if (!Request.ACK.equals(request.getMethod())) {
            provider.sendResponse(messages.createResponse(404, request));
        }
    };

    private static final int WAIT_MILLIS = 3000;

    private final SipStack stack;
    private final String name;
    private final int port;
    /** "METHOD Call-ID" of each request the listener was given. */
    private final List<String> reached = new CopyOnWriteArrayList<>();

    private LoopbackSipStack(SipStack stack, String name, int port) {
        this.stack = stack;
        this.name = name;
        this.port = port;
    }

    /** A started stack named {@code name} with {@code settings} on top of dialog support off, answering 404. */
    static LoopbackSipStack start(String name, Properties settings) throws Exception {
        return start(name, settings, NOT_FOUND);
    }

    /**
     * A started stack named {@code name} (SipFactory hands out the stack it already made for a name,
     * so a test that starts several gives each its own) with {@code settings} on top of dialog
     * support off, answering with {@code answer}.
     */
    static LoopbackSipStack start(String name, Properties settings, Answer answer) throws Exception {
        int port;
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = probe.getLocalPort();
        }
        Properties properties = new Properties();
        properties.setProperty("javax.sip.STACK_NAME", name);
        properties.setProperty("javax.sip.AUTOMATIC_DIALOG_SUPPORT", "off");
        properties.putAll(settings);
        SipFactory factory = SipFactory.getInstance();
        factory.setPathName("gov.nist");
        SipStack stack = factory.createSipStack(properties);
        LoopbackSipStack loopback = new LoopbackSipStack(stack, name, port);
        SipProvider provider = stack.createSipProvider(stack.createListeningPoint("127.0.0.1", port, ListeningPoint.UDP));
        provider.addListeningPoint(stack.createListeningPoint("127.0.0.1", port, ListeningPoint.TCP));
        provider.addSipListener(loopback.new Recorder(provider, factory.createMessageFactory(), answer));
        stack.start();
        return loopback;
    }

    int port() {
        return port;
    }

    /** The JAIN-SIP stack itself, for tests that look at its parts. */
    SipStack sipStack() {
        return stack;
    }

    String name() {
        return name;
    }

    /** Whether a request of this call reached the listener. */
    boolean reached(String callId) {
        return reached.stream().anyMatch(entry -> entry.endsWith(" " + callId));
    }

    /** How many {@code method} requests of this call reached the listener. */
    long timesReached(String method, String callId) {
        return reached.stream().filter((method + " " + callId)::equals).count();
    }

    void awaitReached(String callId) throws InterruptedException {
        for (int i = 0; i < 60 && !reached(callId); i++) {
            Thread.sleep(50);
        }
        assertTrue(reached(callId), callId + " never reached the listener; it got " + reached);
    }

    void awaitReached(String method, String callId) throws InterruptedException {
        for (int i = 0; i < 60 && timesReached(method, callId) == 0; i++) {
            Thread.sleep(50);
        }
        assertTrue(timesReached(method, callId) > 0, method + " " + callId + " never reached the listener; it got " + reached);
    }

    /**
     * Sends {@code message} over UDP, with {@code $transport} and {@code $client} replaced by UDP and
     * the sender's port, and returns the first answer within 3 s, or "" when none came.
     */
    String overUdp(byte[] message) throws IOException {
        try (DatagramSocket socket = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
            byte[] bytes = fillIn(message, "UDP", socket.getLocalPort());
            socket.send(new DatagramPacket(bytes, bytes.length, InetAddress.getLoopbackAddress(), port));
            socket.setSoTimeout(WAIT_MILLIS);
            return receive(socket);
        }
    }

    /** The next datagram the socket gets, as text, or "" when none came within its timeout. */
    static String receive(DatagramSocket socket) throws IOException {
        DatagramPacket packet = new DatagramPacket(new byte[65536], 65536);
        try {
            socket.receive(packet);
        } catch (SocketTimeoutException e) {
            return "";
        }
        return new String(packet.getData(), 0, packet.getLength(), StandardCharsets.UTF_8);
    }

    /** A TCP connection to the stack; reads time out after 3 s. */
    Socket connect() throws IOException {
        Socket socket = new Socket();
        socket.bind(new InetSocketAddress("127.0.0.1", 0));
        socket.connect(new InetSocketAddress("127.0.0.1", port), WAIT_MILLIS);
        socket.setSoTimeout(WAIT_MILLIS);
        return socket;
    }

    /** Writes {@code message} on the connection, with {@code $transport} and {@code $client} filled in. */
    static void send(Socket socket, byte[] message) throws IOException {
        socket.getOutputStream().write(fillIn(message, "TCP", socket.getLocalPort()));
        socket.getOutputStream().flush();
    }

    /** One answer's status line and headers, up to the empty line; what came before a timeout or close otherwise. */
    static String readAnswer(Socket socket) throws IOException {
        InputStream in = socket.getInputStream();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            int b;
            while (!out.toString(StandardCharsets.UTF_8).endsWith("\r\n\r\n") && (b = in.read()) >= 0) {
                out.write(b);
            }
        } catch (SocketTimeoutException e) {
            // what arrived so far is the answer
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    static String firstLine(String answer) {
        int end = answer.indexOf("\r\n");
        return end < 0 ? answer : answer.substring(0, end);
    }

    /** ISO-8859-1 maps every byte to one char and back, so whatever the message holds survives. */
    private static byte[] fillIn(byte[] message, String transport, int localPort) {
        return new String(message, StandardCharsets.ISO_8859_1).replace("$transport", transport)
                .replace("$client", String.valueOf(localPort)).getBytes(StandardCharsets.ISO_8859_1);
    }

    @Override
    public void close() {
        stack.stop();
    }

    private final class Recorder implements SipListener {
        private final SipProvider provider;
        private final MessageFactory messages;
        private final Answer answer;

        Recorder(SipProvider provider, MessageFactory messages, Answer answer) {
            this.provider = provider;
            this.messages = messages;
            this.answer = answer;
        }

        @Override
        public void processRequest(RequestEvent event) {
            Request request = event.getRequest();
            CallIdHeader callId = (CallIdHeader) request.getHeader(CallIdHeader.NAME);
            reached.add(request.getMethod() + " " + (callId == null ? "" : callId.getCallId()));
            try {
                answer.answer(provider, messages, request);
            } catch (Exception e) {
                throw new IllegalStateException(e);
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
    }
}
