package dialroute.it;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.UUID;

/**
 * Sends one hand-written INVITE over UDP and returns the first final response as text. For what a
 * well-behaved user agent library will not send: a Request-URI without user part, a tel: URI.
 */
final class RawSip {
    private RawSip() {
    }

    static String invite(String requestUri, int port) throws IOException {
        return invite(requestUri, port, 70);
    }

    /** As {@link #invite(String, int)}, with the given Max-Forwards. */
    static String invite(String requestUri, int port, int maxForwards) throws IOException {
        try (DatagramSocket socket = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            socket.setSoTimeout(5000);
            int local = socket.getLocalPort();
            String branch = "z9hG4bK" + UUID.randomUUID().toString().replace("-", "");
            String message = "INVITE " + requestUri + " SIP/2.0\r\n"
                    + "Via: SIP/2.0/UDP 127.0.0.1:" + local + ";branch=" + branch + ";rport\r\n"
                    + "Max-Forwards: " + maxForwards + "\r\n"
                    + "From: <sip:raw@127.0.0.1:" + local + ">;tag=" + UUID.randomUUID().toString().substring(0, 8) + "\r\n"
                    + "To: <" + requestUri + ">\r\n"
                    + "Call-ID: " + UUID.randomUUID() + "@127.0.0.1\r\n"
                    + "CSeq: 1 INVITE\r\n"
                    + "Contact: <sip:raw@127.0.0.1:" + local + ">\r\n"
                    + "Content-Length: 0\r\n\r\n";
            byte[] bytes = message.getBytes(StandardCharsets.US_ASCII);
            socket.send(new DatagramPacket(bytes, bytes.length, InetAddress.getLoopbackAddress(), port));
            byte[] buffer = new byte[65535];
            while (true) {
                DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
                try {
                    socket.receive(packet);
                } catch (SocketTimeoutException e) {
                    throw new AssertionError("no final response to " + requestUri + " within 5 s");
                }
                String response = new String(packet.getData(), 0, packet.getLength(), StandardCharsets.UTF_8);
                if (!response.startsWith("SIP/2.0 1")) {
                    return response;
                }
            }
        }
    }
}
