package dialroute.sipstack;

import gov.nist.core.CommonLogger;
import gov.nist.core.StackLogger;
import gov.nist.javax.sip.Utils;
import gov.nist.javax.sip.header.SIPHeader;
import gov.nist.javax.sip.header.To;
import gov.nist.javax.sip.header.Warning;
import gov.nist.javax.sip.message.MessageFactoryImpl;
import gov.nist.javax.sip.message.SIPRequest;
import gov.nist.javax.sip.message.SIPResponse;
import gov.nist.javax.sip.stack.ConnectionOrientedMessageChannel;
import gov.nist.javax.sip.stack.MessageChannel;
import gov.nist.javax.sip.stack.UDPMessageChannel;

import java.io.OutputStream;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.net.DatagramPacket;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;

import javax.sip.header.Header;
import javax.sip.header.ServerHeader;

/**
 * The answer to a request {@link StrictMessageParser} refused ({@code 400 Bad Request}, or
 * {@code 513 Message Too Large}), sent back the way the request came: over UDP to the address and port it came from, over TCP and TLS on its
 * connection. Stateless: no transaction exists, and a retransmission is simply answered again.
 *
 * <p>The answer carries the request's Via lines exactly as they came (RFC 3261 8.2.6.2 wants them
 * copied, and one that the stack could not parse can still be copied), its From, To (with a tag),
 * Call-ID and CSeq as far as they exist, and a {@code Warning: 399} naming the defect, so the
 * sender's admin reads what was wrong without the stack's parser diagnostics in the reason phrase.
 *
 * <p>Why the channel's insides are reached by reflection: the stack offers no way to answer a
 * message it has not accepted. Its UDP channel knows the sender's port only after the message
 * passed, and its TCP channel, for a first message on a connection, would dial the sender's
 * ephemeral port instead of writing on the connection. The fields read are those of the pinned
 * jain-sip-ri build; should they be missing, requests are refused without an answer (logged once),
 * which RFC 4475 tolerates, rather than served.
 */
final class RefusalAnswer {

    private static final StackLogger LOGGER = CommonLogger.getLogger(RefusalAnswer.class);

    /** The pseudonym in Warning headers (RFC 3261 20.43: warn-agent). */
    private static final String WARN_AGENT = "dialroute";
    /** RFC 3261 20.43: 399 Miscellaneous warning. */
    private static final int MISCELLANEOUS_WARNING = 399;

    private static final Field DATAGRAM;
    private static final Method SEND_DATAGRAM;
    private static final Field CONNECTION;

    static {
        Field datagram = null;
        Method sendDatagram = null;
        Field connection = null;
        try {
            datagram = UDPMessageChannel.class.getDeclaredField("incomingPacket");
            datagram.setAccessible(true);
            sendDatagram = MessageChannel.class.getDeclaredMethod("sendMessage", byte[].class, InetAddress.class,
                    int.class, boolean.class);
            sendDatagram.setAccessible(true);
            connection = ConnectionOrientedMessageChannel.class.getDeclaredField("mySock");
            connection.setAccessible(true);
        } catch (ReflectiveOperationException | RuntimeException e) {
            LOGGER.logError("this jain-sip-ri build cannot be answered through; malformed requests will be dropped unanswered", e);
        }
        DATAGRAM = datagram;
        SEND_DATAGRAM = sendDatagram;
        CONNECTION = connection;
    }

    private RefusalAnswer() {
    }

    static void send(SIPRequest request, int status, String reason, String defect, List<String> viaLines,
            List<String> unparsedEssentials, MessageChannel channel) {
        if (viaLines.isEmpty()) {
            return; // without a Via no sender could match the answer to its request (RFC 3261 17.1.3)
        }
        try {
            byte[] bytes = build(request, status, reason, defect, viaLines, unparsedEssentials).encode()
                    .getBytes(StandardCharsets.UTF_8);
            if (channel instanceof UDPMessageChannel && DATAGRAM != null) {
                DatagramPacket received = (DatagramPacket) DATAGRAM.get(channel);
                SEND_DATAGRAM.invoke(channel, bytes, received.getAddress(), received.getPort(), false);
            } else if (channel instanceof ConnectionOrientedMessageChannel && CONNECTION != null) {
                Socket socket = (Socket) CONNECTION.get(channel);
                // The channel's own sends hold its lock while writing; so does this one.
                synchronized (channel) {
                    OutputStream out = socket.getOutputStream();
                    out.write(bytes);
                    out.flush();
                }
            }
        } catch (Exception e) {
            LOGGER.logWarning("could not answer a refused request from " + channel.getPeerAddress() + " with " + status + ": " + e);
        }
    }

    private static SIPResponse build(SIPRequest request, int status, String reason, String defect, List<String> viaLines,
            List<String> unparsedEssentials) throws Exception {
        SIPResponse response = new SIPResponse();
        response.setStatusCode(status);
        response.setReasonPhrase(reason);
        for (String via : viaLines) {
            response.addUnparsed(via);
        }
        attachCopy(request.getFrom(), response);
        if (request.getTo() != null) {
            To to = (To) request.getTo().clone();
            if (to.getTag() == null) {
                to.setTag(Utils.getInstance().generateTag());
            }
            response.attachHeader(to, false);
        }
        attachCopy(request.getCallId(), response);
        attachCopy(request.getCSeq(), response);
        for (String line : unparsedEssentials) {
            response.addUnparsed(line);
        }
        Warning warning = new Warning();
        warning.setCode(MISCELLANEOUS_WARNING);
        warning.setAgent(WARN_AGENT);
        warning.setText(defect);
        response.attachHeader(warning, false);
        ServerHeader server = MessageFactoryImpl.getDefaultServerHeader();
        if (server != null) {
            response.attachHeader((SIPHeader) server, false);
        }
        return response;
    }

    private static void attachCopy(Header header, SIPResponse response) throws Exception {
        if (header != null) {
            response.attachHeader((SIPHeader) ((SIPHeader) header).clone(), false);
        }
    }
}
