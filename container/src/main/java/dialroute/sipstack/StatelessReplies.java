package dialroute.sipstack;

import gov.nist.javax.sip.header.Via;
import gov.nist.javax.sip.message.SIPRequest;
import gov.nist.javax.sip.message.SIPResponse;
import gov.nist.javax.sip.stack.HopImpl;
import gov.nist.javax.sip.stack.MessageChannel;
import gov.nist.javax.sip.stack.SIPTransactionStack;

import java.io.IOException;

import javax.sip.message.Request;

/**
 * What the message valves that answer without a transaction ({@link StatelessAnswerValve},
 * {@link CallAdmissionValve}, {@link InCallForwardValve}) share: where such an answer goes, how the
 * caller's ACK for it is recognised, and which responses a valve can look at. Each valve marks its
 * answers with its own To-tag prefix.
 */
final class StatelessReplies {
    private StatelessReplies() {
    }

    /**
     * The caller's ACK for an answer whose To tag starts with {@code tagPrefix} (RFC 3261 17.1.1.3:
     * same branch, the answer's To tag): nothing is waiting for it, so the valve drops it instead
     * of letting it reach the container as a stray ACK.
     */
    static boolean acknowledges(SIPRequest request, String tagPrefix) {
        String toTag = request.getToTag();
        return Request.ACK.equals(request.getMethod()) && toTag != null && toTag.startsWith(tagPrefix);
    }

    /**
     * The response as the stack's class when it has what a valve looks at (a top Via and a CSeq),
     * else null: a malformed response is left to the stack's own checks.
     */
    static SIPResponse checkable(javax.sip.message.Response response) {
        return response instanceof SIPResponse sip && sip.getTopmostVia() != null && sip.getCSeq() != null ? sip : null;
    }

    /**
     * The port a response goes to by this Via (RFC 3261 section 18.2.2, RFC 3581): its
     * {@code rport}, else its port, else 5060.
     */
    static int answerPort(Via via) {
        return via.getRPort() > 0 ? via.getRPort() : via.getPort() != -1 ? via.getPort() : 5060;
    }

    /**
     * Sends an answer as the stack sends its transactions' answers (RFC 3261 section 18.2.2, RFC
     * 3581): over TCP and TLS down the connection the request came on; over UDP to the packet's
     * source address, at the port the top Via asks for ({@code rport}, else its port, else 5060).
     * A {@code maddr} is not honoured: an answer never goes to a host named only in the message.
     */
    static void send(SIPTransactionStack stack, SIPResponse response, MessageChannel channel) throws IOException {
        if (channel.isReliable()) {
            channel.sendMessage(response);
            return;
        }
        int port = answerPort(response.getTopmostVia());
        if (port == channel.getPeerPort()) {
            channel.sendMessage(response);
            return;
        }
        String host = channel.getPeerAddress();
        if (host.indexOf(':') >= 0 && !host.startsWith("[")) {
            host = "[" + host + "]"; // an IPv6 literal, as the stack's hops want it
        }
        HopImpl hop = new HopImpl(host, port, channel.getTransport());
        MessageChannel toViaPort = stack.createRawMessageChannel(channel.getHost(), channel.getPort(),
                stack.getAddressResolver().resolveAddress(hop));
        if (toViaPort != null) {
            toViaPort.sendMessage(response);
        }
    }
}
