package dialroute.sipstack;

import gov.nist.core.net.AddressResolver;
import gov.nist.javax.sip.address.AddressFactoryImpl;
import gov.nist.javax.sip.header.Contact;
import gov.nist.javax.sip.SipStackImpl;
import gov.nist.javax.sip.header.RetryAfter;
import gov.nist.javax.sip.header.Server;
import gov.nist.javax.sip.header.Via;
import gov.nist.javax.sip.message.SIPRequest;
import gov.nist.javax.sip.message.SIPResponse;
import gov.nist.javax.sip.stack.HopImpl;
import gov.nist.javax.sip.stack.MessageChannel;
import gov.nist.javax.sip.stack.SIPMessageValve;
import gov.nist.javax.sip.stack.SIPTransactionStack;

import java.util.function.Function;
import java.util.logging.Level;
import java.util.logging.Logger;

import javax.sip.SipStack;
import javax.sip.address.SipURI;
import javax.sip.header.ProxyRequireHeader;
import javax.sip.header.RouteHeader;
import javax.sip.message.Request;

import org.mobicents.servlet.sip.address.RFC2396UrlDecoder;

/**
 * Answers the new calls dialroute answers itself (redirects and rejections) statelessly, in the SIP
 * stack, as a stateless UAS (RFC 3261 section 8.2.7): one response built from the parsed INVITE
 * and sent, with no server transaction, SIP session or application session. Proxied calls, and
 * anything this valve does not recognise as plain, go on to the container and the servlet as
 * before.
 *
 * <p>Why: a redirect through the container costs the server about ten times what the same answer
 * costs here (transaction created under the stack-wide lock and kept for Timer I, SIP and
 * application session, the container's dispatch; bench/RESULTS.md), and a redirect's answer does
 * not depend on any state: the same INVITE always gets the same answer, which is the condition for
 * a stateless UAS. A retransmitted INVITE is answered again, with the same To tag; the caller's
 * ACK for the answer carries that tag and is dropped here.
 *
 * <p>The decision is the application's: it installs a function with {@link #install} when its
 * routing servlet starts and removes it when it stops. Until then, and after, every call goes to
 * the container. The function takes and returns plain strings because the application is loaded
 * apart from this jar and does not compile against it:
 * <ul>
 *   <li>in: {@code {dialled user, caller user, source address, Call-ID}}, the users decoded as the
 *       container decodes them for the servlet;</li>
 *   <li>out: {@code null} for "the container handles this call", else
 *       {@code {status, reason phrase, Retry-After seconds or "", then per Contact: URI, q or "",
 *       expires or ""}}.</li>
 * </ul>
 *
 * <p>Left to the container (the valve passes the INVITE on): a request with a To tag, with a
 * {@code Route} or {@code Proxy-Require} header (the servlet answers the latter 420), a Request-URI
 * or From that is not a SIP URI, a retransmission of an INVITE whose transaction the stack already
 * has, and any call the function returns null for or fails on. A retransmission of an INVITE
 * answered here reaches the function again and is counted again.
 *
 * <p>Where the answer goes: over TCP and TLS down the connection the INVITE came on; over UDP to
 * the packet's source address, at the port the top Via asks for ({@code rport}, else its port,
 * else 5060), as the stack does for its own transactions (RFC 3261 section 18.2.2, RFC 3581),
 * except that a {@code maddr} is not honoured: an answer never goes to a host named only in the
 * message.
 *
 * <p>Configured in conf/mss-sip-stack.properties ({@code gov.nist.javax.sip.SIP_MESSAGE_VALVE}),
 * after {@link CallAdmissionValve}: its limit is on all new calls, these included.
 */
public final class StatelessAnswerValve implements SIPMessageValve {
    /**
     * Start of the To tag of every answer sent here; the container's own tags are hex digits and
     * underscores, and the admission valve's start {@code overload-}.
     */
    static final String TAG_PREFIX = "answered-";

    private static final Logger LOG = Logger.getLogger("dialroute");

    private static volatile Function<String[], String[]> answers;
    /** Whether a SIP stack with this valve is running, for the application's log. */
    private static volatile boolean inStack;

    /** The container's own setting for the Server header of its responses (mss-sip-stack.properties). */
    static final String SERVER_HEADER_PROPERTY = "org.mobicents.servlet.sip.SERVER_HEADER";

    private SIPTransactionStack stack;
    private final AddressFactoryImpl addresses = new AddressFactoryImpl();
    /** What the container puts in Server, so both paths' answers look alike; null: none. */
    private String server;

    /**
     * Called by the application when it starts routing: from now on it answers new calls here.
     *
     * @return whether a SIP stack with this valve is running (false: the function is kept for one
     *         that starts later, and until then every call goes to the container)
     */
    public static boolean install(Function<String[], String[]> decide) {
        answers = decide;
        return inStack;
    }

    /** Called by the application when it stops: only the function it installed is removed. */
    public static void remove(Function<String[], String[]> decide) {
        if (answers == decide) {
            answers = null;
        }
    }

    @Override
    public void init(SipStack sipStack) {
        stack = (SIPTransactionStack) sipStack;
        if (sipStack instanceof SipStackImpl configured) {
            String value = configured.getConfigurationProperties().getProperty(SERVER_HEADER_PROPERTY);
            server = value == null || value.isBlank() ? null : value.trim();
        }
        inStack = true;
    }

    @Override
    public boolean processRequest(SIPRequest request, MessageChannel channel) {
        String method = request.getMethod();
        String toTag = request.getToTag();
        if (Request.ACK.equals(method)) {
            // The caller's ACK for an answer of ours: nothing is waiting for it.
            return toTag == null || !toTag.startsWith(TAG_PREFIX);
        }
        Function<String[], String[]> decide = answers;
        if (decide == null || toTag != null || !Request.INVITE.equals(method)) {
            return true;
        }
        if (!(request.getRequestURI() instanceof SipURI dialled) || !(request.getFrom().getAddress().getURI() instanceof SipURI caller)
                || request.getHeader(RouteHeader.NAME) != null || request.getHeader(ProxyRequireHeader.NAME) != null) {
            return true;
        }
        String transactionId = request.getTransactionId();
        if (stack.findTransaction(transactionId, true) != null || stack.findPendingTransaction(transactionId) != null) {
            return true; // a retransmission of a call the container already has
        }
        String[] answer;
        try {
            answer = decide.apply(new String[] {
                    decode(dialled.getUser()), decode(caller.getUser()), channel.getPeerAddress(), request.getCallId().getCallId()});
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "dialroute: call " + request.getCallId().getCallId()
                    + " goes to the container: deciding its answer in the SIP stack failed", e);
            return true;
        }
        if (answer == null) {
            return true;
        }
        try {
            send(answerTo(request, answer), channel);
        } catch (Exception e) {
            // Counted as answered already; the caller retransmits and is answered again.
            LOG.log(Level.FINE, "could not send the answer to call " + request.getCallId().getCallId(), e);
        }
        return false;
    }

    private static String decode(String user) {
        return user == null ? null : RFC2396UrlDecoder.decode(user);
    }

    private SIPResponse answerTo(SIPRequest request, String[] answer) throws Exception {
        SIPResponse response = request.createResponse(Integer.parseInt(answer[0]), answer[1]);
        response.getTo().setTag(tagFor(request));
        if (server != null) {
            Server header = new Server();
            header.addProductToken(server);
            response.setHeader(header);
        }
        if (!answer[2].isEmpty()) {
            RetryAfter retryAfter = new RetryAfter();
            retryAfter.setRetryAfter(Integer.parseInt(answer[2]));
            response.setHeader(retryAfter);
        }
        for (int i = 3; i + 2 < answer.length; i += 3) {
            Contact contact = new Contact();
            contact.setAddress(addresses.createAddress(addresses.createURI(answer[i])));
            if (!answer[i + 1].isEmpty()) {
                contact.setQValue(Float.parseFloat(answer[i + 1]));
            }
            if (!answer[i + 2].isEmpty()) {
                contact.setExpires(Integer.parseInt(answer[i + 2]));
            }
            response.addHeader(contact);
        }
        return response;
    }

    /**
     * The same tag for every copy of one INVITE (RFC 3261 section 8.2.7: a stateless UAS makes its
     * tags so), different for different calls and for a new INVITE of the same call.
     */
    static String tagFor(SIPRequest request) {
        long h = request.getCallId().getCallId().hashCode();
        h = h * 31 + String.valueOf(request.getFromTag()).hashCode();
        h = h * 31 + request.getTransactionId().hashCode();
        h = h * 31 + request.getCSeq().getSeqNumber();
        return TAG_PREFIX + Long.toHexString(h & 0xffff_ffff_ffffL);
    }

    private void send(SIPResponse response, MessageChannel channel) throws Exception {
        if (channel.isReliable()) {
            channel.sendMessage(response);
            return;
        }
        Via via = response.getTopmostVia();
        int port = via.getRPort();
        if (port == -1) {
            port = via.getPort() == -1 ? 5060 : via.getPort();
        }
        if (port == channel.getPeerPort()) {
            channel.sendMessage(response);
            return;
        }
        AddressResolver resolver = stack.getAddressResolver();
        String host = channel.getPeerAddress();
        if (host.indexOf(':') >= 0 && !host.startsWith("[")) {
            host = "[" + host + "]"; // an IPv6 literal, as the stack's hops want it
        }
        HopImpl hop = new HopImpl(host, port, channel.getTransport());
        MessageChannel toViaPort = stack.createRawMessageChannel(channel.getHost(), channel.getPort(), resolver.resolveAddress(hop));
        if (toViaPort != null) {
            toViaPort.sendMessage(response);
        }
    }

    @Override
    public boolean processResponse(javax.sip.message.Response response, MessageChannel channel) {
        return true;
    }

    @Override
    public void destroy() {
        // The application removes its function itself when it stops.
        inStack = false;
    }
}
