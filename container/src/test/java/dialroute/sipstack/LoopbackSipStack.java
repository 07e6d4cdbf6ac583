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
 * on a free port, with a listener standing in for the container: it records the Call-ID of every
 * request it is given and answers each (but ACK) 404 statelessly. The tests send raw bytes to it
 * and read what comes back, as a peer would.
 */
final class LoopbackSipStack implements AutoCloseable {

    private static final int WAIT_MILLIS = 3000;

    private final SipStack stack;
    private final int port;
    private final List<String> reached = new CopyOnWriteArrayList<>();

    private LoopbackSipStack(SipStack stack, int port) {
        this.stack = stack;
        this.port = port;
    }

    /** A started stack named {@code name} with {@code settings} on top of dialog support off. */
    static LoopbackSipStack start(String name, Properties settings) throws Exception {
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
        LoopbackSipStack loopback = new LoopbackSipStack(stack, port);
        SipProvider provider = stack.createSipProvider(stack.createListeningPoint("127.0.0.1", port, ListeningPoint.UDP));
        provider.addListeningPoint(stack.createListeningPoint("127.0.0.1", port, ListeningPoint.TCP));
        provider.addSipListener(loopback.new NotFoundListener(provider, factory.createMessageFactory()));
        stack.start();
        return loopback;
    }

    int port() {
        return port;
    }

    boolean reached(String callId) {
        return reached.contains(callId);
    }

    void awaitReached(String callId) throws InterruptedException {
        for (int i = 0; i < 60 && !reached(callId); i++) {
            Thread.sleep(50);
        }
        assertTrue(reached(callId), callId + " never reached the listener; it got " + reached);
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
            DatagramPacket packet = new DatagramPacket(new byte[65536], 65536);
            try {
                socket.receive(packet);
            } catch (SocketTimeoutException e) {
                return "";
            }
            return new String(packet.getData(), 0, packet.getLength(), StandardCharsets.UTF_8);
        }
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

    private final class NotFoundListener implements SipListener {
        private final SipProvider provider;
        private final MessageFactory messages;

        NotFoundListener(SipProvider provider, MessageFactory messages) {
            this.provider = provider;
            this.messages = messages;
        }

        @Override
        public void processRequest(RequestEvent event) {
            Request request = event.getRequest();
            CallIdHeader callId = (CallIdHeader) request.getHeader(CallIdHeader.NAME);
            reached.add(callId == null ? "" : callId.getCallId());
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
    }
}
