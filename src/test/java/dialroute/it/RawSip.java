package dialroute.it;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Raw SIP bytes to the container and what came back, for what a well-behaved user agent library
 * will not send: a Request-URI without user part, a tel: URI, malformed and hostile messages.
 */
final class RawSip {
    private static final Pattern STATUS = Pattern.compile("^SIP/2\\.0 (\\d{3}) ");
    private static final Pattern TO = Pattern.compile("(?m)^To: [^\r\n]*");
    private static final Pattern CONTENT_LENGTH = Pattern.compile("(?im)^(?:content-length|l)[ \\t]*:[ \\t]*(\\d+)[ \\t]*\\r?$");

    private RawSip() {
    }

    /** Sends one hand-written INVITE over UDP and returns the first final response as text. */
    static String invite(String requestUri, int port) throws IOException {
        return invite(requestUri, port, 70);
    }

    /** As {@link #invite(String, int)}, with the given Max-Forwards. */
    static String invite(String requestUri, int port, int maxForwards) throws IOException {
        try (Udp udp = Udp.open(port)) {
            String message = invite(requestUri, udp.localPort(), "UDP").replace("Max-Forwards: 70\r\n", "Max-Forwards: " + maxForwards + "\r\n");
            udp.send(message.getBytes(StandardCharsets.US_ASCII));
            Exchange exchange = udp.awaitFinal(Duration.ofSeconds(5));
            if (exchange.finalStatus() == 0) {
                throw new AssertionError("no final response to " + requestUri + " within 5 s: " + exchange);
            }
            String answer = exchange.responses().get(exchange.responses().size() - 1);
            if (exchange.finalStatus() >= 300) {
                // As a UA's client transaction does (RFC 3261 17.1.1.3); unacknowledged, the server
                // would retransmit the answer for 32 s, to a port a later test may be given.
                udp.send(ackFor(message, answer).getBytes(StandardCharsets.US_ASCII));
            }
            return answer;
        }
    }

    /** A minimal well-formed INVITE whose Via names the sender (127.0.0.1:localPort). */
    static String invite(String requestUri, int localPort, String transport) {
        String branch = "z9hG4bK" + UUID.randomUUID().toString().replace("-", "");
        return "INVITE " + requestUri + " SIP/2.0\r\n"
                + "Via: SIP/2.0/" + transport + " 127.0.0.1:" + localPort + ";branch=" + branch + ";rport\r\n"
                + "Max-Forwards: 70\r\n"
                + "From: <sip:raw@127.0.0.1:" + localPort + ">;tag=" + UUID.randomUUID().toString().substring(0, 8) + "\r\n"
                + "To: <" + requestUri + ">\r\n"
                + "Call-ID: " + UUID.randomUUID() + "@127.0.0.1\r\n"
                + "CSeq: 1 INVITE\r\n"
                + "Contact: <sip:raw@127.0.0.1:" + localPort + ">\r\n"
                + "Content-Length: 0\r\n\r\n";
    }

    /** The ACK of a non-2xx final answer to {@code invite}: its Via, From, Call-ID and CSeq number, the answer's To. */
    static String ackFor(String invite, String answer) {
        Matcher to = TO.matcher(answer);
        if (!to.find()) {
            throw new AssertionError("no To in " + answer);
        }
        return invite.replaceFirst("^INVITE ", "ACK ")
                .replaceFirst("(?m)^To: .*\r\n", Matcher.quoteReplacement(to.group() + "\r\n"))
                .replaceFirst("(?m)^Contact: .*\r\n", "")
                .replace("CSeq: 1 INVITE\r\n", "CSeq: 1 ACK\r\n");
    }

    /** The status code of a response's status line, or 0 when it has none. */
    static int status(String response) {
        Matcher m = STATUS.matcher(response);
        return m.find() ? Integer.parseInt(m.group(1)) : 0;
    }

    /**
     * What came back for one message: every response in arrival order, and for TCP whether the
     * server closed the connection.
     */
    record Exchange(List<String> responses, boolean closed) {
        /** The first final (>= 200) status, or 0 when none came. */
        int finalStatus() {
            return responses.stream().mapToInt(RawSip::status).filter(s -> s >= 200).findFirst().orElse(0);
        }

        /** Provisional responses that came without a final one: a transaction left hanging. */
        boolean provisionalOnly() {
            return finalStatus() == 0 && responses.stream().mapToInt(RawSip::status).anyMatch(s -> s > 0 && s < 200);
        }

        /** Every status, in order, for a report ("100 404", "-" when nothing came). */
        String statuses() {
            if (responses.isEmpty()) {
                return closed ? "closed" : "-";
            }
            StringBuilder text = new StringBuilder();
            for (String response : responses) {
                text.append(text.length() == 0 ? "" : " ").append(status(response));
            }
            return closed ? text + " closed" : text.toString();
        }

        @Override
        public String toString() {
            return statuses() + (responses.isEmpty() ? "" : "\n" + String.join("\n----\n", responses));
        }
    }

    /** A UDP socket on 127.0.0.1 that sends to the container and collects its answers. */
    static final class Udp implements AutoCloseable {
        private final DatagramSocket socket;
        private final int port;

        private Udp(DatagramSocket socket, int port) {
            this.socket = socket;
            this.port = port;
        }

        static Udp open(int port) throws SocketException {
            return new Udp(new DatagramSocket(0, InetAddress.getLoopbackAddress()), port);
        }

        int localPort() {
            return socket.getLocalPort();
        }

        void send(byte[] message) throws IOException {
            socket.send(new DatagramPacket(message, message.length, InetAddress.getLoopbackAddress(), port));
        }

        /** Collects datagrams until a final response has come or {@code wait} has passed without one. */
        Exchange awaitFinal(Duration wait) throws IOException {
            List<String> responses = new ArrayList<>();
            long deadline = System.nanoTime() + wait.toNanos();
            byte[] buffer = new byte[65535];
            while (true) {
                long left = (deadline - System.nanoTime()) / 1_000_000;
                if (left <= 0) {
                    return new Exchange(responses, false);
                }
                socket.setSoTimeout((int) left);
                DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
                try {
                    socket.receive(packet);
                } catch (SocketTimeoutException e) {
                    return new Exchange(responses, false);
                }
                String response = new String(packet.getData(), 0, packet.getLength(), StandardCharsets.UTF_8);
                responses.add(response);
                if (status(response) >= 200) {
                    return new Exchange(responses, false);
                }
            }
        }

        @Override
        public void close() {
            socket.close();
        }
    }

    /** A TCP connection from 127.0.0.1 to the container that sends bytes and reads framed answers. */
    static final class Tcp implements AutoCloseable {
        private final Socket socket;
        private final InputStream in;
        private final ByteArrayOutputStream pending = new ByteArrayOutputStream();
        private boolean closed;

        private Tcp(Socket socket) throws IOException {
            this.socket = socket;
            this.in = socket.getInputStream();
        }

        static Tcp connect(int port) throws IOException {
            Socket socket = new Socket();
            socket.setTcpNoDelay(true);
            socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 2000);
            return new Tcp(socket);
        }

        int localPort() {
            return socket.getLocalPort();
        }

        /** Sends; a server that already closed the connection is reported, not thrown. */
        void send(byte[] message) throws IOException {
            try {
                OutputStream out = socket.getOutputStream();
                out.write(message);
                out.flush();
            } catch (SocketException e) {
                closed = true;
            }
        }

        /**
         * Reads responses (framed by their Content-Length) until {@code finals} final responses have
         * come, the server closed the connection, or {@code wait} has passed.
         */
        Exchange awaitFinals(int finals, Duration wait) throws IOException {
            List<String> responses = new ArrayList<>();
            long deadline = System.nanoTime() + wait.toNanos();
            int seen = 0;
            byte[] buffer = new byte[65535];
            while (!closed && seen < finals) {
                String framed = nextFramed();
                if (framed != null) {
                    responses.add(framed);
                    if (status(framed) >= 200) {
                        seen++;
                    }
                    continue;
                }
                long left = (deadline - System.nanoTime()) / 1_000_000;
                if (left <= 0) {
                    break;
                }
                socket.setSoTimeout((int) left);
                try {
                    int n = in.read(buffer);
                    if (n < 0) {
                        closed = true;
                    } else {
                        pending.write(buffer, 0, n);
                    }
                } catch (SocketTimeoutException e) {
                    break;
                } catch (SocketException e) {
                    closed = true;
                }
            }
            if (closed && pending.size() > 0) {
                responses.add(pending.toString(StandardCharsets.UTF_8));
                pending.reset();
            }
            return new Exchange(responses, closed);
        }

        Exchange awaitFinal(Duration wait) throws IOException {
            return awaitFinals(1, wait);
        }

        /** One complete message off the front of what was read, or null while it is incomplete. */
        private String nextFramed() {
            byte[] bytes = pending.toByteArray();
            int start = 0;
            // Keep-alive CRLFs (RFC 5626) between messages.
            while (start + 1 < bytes.length && bytes[start] == '\r' && bytes[start + 1] == '\n') {
                start += 2;
            }
            String text = new String(bytes, start, bytes.length - start, StandardCharsets.ISO_8859_1);
            int end = text.indexOf("\r\n\r\n");
            if (end < 0) {
                return null;
            }
            Matcher cl = CONTENT_LENGTH.matcher(text.substring(0, end + 2));
            int body = cl.find() ? Integer.parseInt(cl.group(1)) : 0;
            int total = end + 4 + body;
            if (text.length() < total) {
                return null;
            }
            String message = new String(bytes, start, total, StandardCharsets.UTF_8);
            pending.reset();
            pending.write(bytes, start + total, bytes.length - start - total);
            return message;
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }

    /** True when a response carries Java exception text or a stack trace, which must never leave. */
    static boolean leaksJavaInternals(String response) {
        String lower = response.toLowerCase(Locale.ROOT);
        return lower.contains("exception") || lower.contains("\tat ") || lower.contains("java.")
                || lower.contains("gov.nist") || lower.contains("org.mobicents") || lower.contains("javax.");
    }
}
