package dialroute.sipstack;

import gov.nist.javax.sip.address.AddressFactoryImpl;
import gov.nist.javax.sip.header.Contact;
import gov.nist.javax.sip.header.RetryAfter;
import gov.nist.javax.sip.message.SIPRequest;
import gov.nist.javax.sip.message.SIPResponse;
import gov.nist.javax.sip.stack.MessageChannel;
import gov.nist.javax.sip.stack.MessageProcessor;
import gov.nist.javax.sip.stack.SIPMessageValve;
import gov.nist.javax.sip.stack.SIPTransactionStack;

import java.text.ParseException;
import java.util.ListIterator;
import java.util.Locale;
import java.util.function.Function;
import java.util.logging.Level;
import java.util.logging.Logger;

import javax.sip.SipException;
import javax.sip.SipStack;
import javax.sip.address.SipURI;
import javax.sip.address.TelURL;
import javax.sip.address.URI;
import javax.sip.header.ProxyRequireHeader;
import javax.sip.header.RouteHeader;
import javax.sip.message.Request;
import javax.sip.message.Response;

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
 * application session, the container's dispatch; bench/RESULTS.md). A stateless UAS must give
 * every copy of a request the same answer: a copy of an INVITE answered here gets the answer
 * remembered for its transaction ({@link RecentAnswers}: the last 16,384 INVITEs, at most 32 s),
 * with the same To tag (made from the request), and is neither decided nor counted again; the
 * caller's ACK for the answer carries that tag and is dropped here.
 *
 * <p>The decision is the application's: it installs a function with {@link #install} when its
 * routing servlet starts and removes it when it stops. Until then, and after, every call goes to
 * the container. The function takes and returns plain strings because the application is loaded
 * apart from this jar and does not compile against it:
 * <ul>
 *   <li>in: {@code {dialled user, caller user, source address, Call-ID, transport}}, the users
 *       decoded as the container decodes them for the servlet (a tel: URI's number with its '+'),
 *       the transport the one (lower case) over which the stack can record-route the call, or ""
 *       when it cannot ({@link InCallForwardValve} not running, TLS, or IPv6);</li>
 *   <li>out: {@code null} for "the container handles this call" (a proxied call: the container
 *       record-routes it if the rule says so), {@code {"record-route", transport out}} for "the
 *       container proxies this call without a Record-Route; the stack puts dialroute's on the
 *       INVITE (two when the call leaves over another transport than it came on) and forwards
 *       the requests inside the call" ({@link InCallForwardValve}), else
 *       {@code {status, reason phrase, Retry-After seconds or "", then per Contact: URI, q or "",
 *       expires or ""}}.</li>
 * </ul>
 *
 * <p>Left to the container (the valve passes the INVITE on): a request with a To tag, with a
 * {@code Proxy-Require} header (the servlet answers it 420), with a {@code Route} that does not
 * name this stack's own address, a Request-URI or From that is not a sip:, sips: or tel: URI, a
 * retransmission of an INVITE whose transaction the stack already has, and any call the function
 * returns null for (proxied calls) or fails on. A copy of an INVITE that arrives after its answer
 * was forgotten is decided, and counted, again, as by any stateless server.
 *
 * <p>Where the answer goes: see {@link StatelessReplies#send}.
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

    private SIPTransactionStack stack;
    private ListeningPoints listeningPoints;
    private final AddressFactoryImpl addresses = new AddressFactoryImpl();
    /** The function's answer for a proxied call that the stack record-routes. */
    static final String RECORD_ROUTE = "record-route";
    /** Remembered for an INVITE handed to the container, so that its copies are not new calls. */
    private static final String[] PROXIED = new String[0];
    /** The answers of the last INVITEs answered here or handed to the container, for their copies. */
    private static final RecentAnswers RECENT = new RecentAnswers(RecentAnswers.CAPACITY, 32_000_000_000L);

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
        listeningPoints = new ListeningPoints(sipStack);
        inStack = true;
    }

    @Override
    public boolean processRequest(SIPRequest request, MessageChannel channel) {
        if (StatelessReplies.acknowledges(request, TAG_PREFIX)) {
            return false;
        }
        Function<String[], String[]> decide = answers;
        if (decide == null || request.getToTag() != null || !Request.INVITE.equals(request.getMethod())) {
            return true;
        }
        URI dialledUri = request.getRequestURI();
        URI callerUri = request.getFrom().getAddress().getURI();
        if (!carriesNumber(dialledUri) || !carriesNumber(callerUri) || request.getHeader(ProxyRequireHeader.NAME) != null
                || !routesOnlyToUs(request)) {
            return true;
        }
        String transactionId = request.getTransactionId();
        if (stack.findTransaction(transactionId, true) != null || stack.findPendingTransaction(transactionId) != null) {
            return true; // a retransmission of a call the container already has
        }
        long now = System.nanoTime();
        String callId = request.getCallId().getCallId();
        // A copy of an INVITE answered here a moment ago: the same answer again, not a new decision
        // (which could differ: a reload, a destination's health) and not counted twice.
        String[] answer = RECENT.find(transactionId, now);
        if (answer == PROXIED) {
            // A copy of an INVITE handed to the container whose transaction is not there (not yet,
            // or no longer: it ends soon after the answer). Taken as a new call it would be routed
            // a second time; the first one's answers reach the caller through the stack.
            return false;
        }
        if (answer == null) {
            // The transport over which the stack can record-route this call: the one it came on,
            // when the in-call forwarding valve runs, it is not TLS and the call came over IPv4
            // (one Record-Route serves both sides only within one address family).
            String recordRouteOver = InCallForwardValve.running() && !channel.isSecure() && channel.getHost().indexOf(':') < 0
                    ? channel.getTransport().toLowerCase(Locale.ROOT) : "";
            try {
                answer = decide.apply(new String[] {number(dialledUri), number(callerUri), channel.getPeerAddress(), callId, recordRouteOver});
            } catch (Throwable e) { // NOPMD: an Error here would end one of the stack's worker threads for good
                if (e instanceof VirtualMachineError vm) {
                    throw vm;
                }
                LOG.log(Level.WARNING, "dialroute: call " + callId + " goes to the container: deciding its answer in the SIP stack failed", e);
                return true;
            }
            if (answer == null || isRecordRoute(answer)) {
                RECENT.remember(transactionId, PROXIED, now);
                if (answer != null && !recordRouteOver.isEmpty()) {
                    try {
                        recordRoute(request, channel, recordRouteOver, answer.length > 1 ? answer[1] : recordRouteOver);
                    } catch (ParseException | SipException | RuntimeException e) {
                        // Without the stamp the container proxies it without a Record-Route: the
                        // call works, its in-call requests go straight between the phones.
                        LOG.log(Level.WARNING, "dialroute: call " + callId + ": could not record-route it in the SIP stack", e);
                    }
                }
                return true;
            }
            RECENT.remember(transactionId, answer, now);
        }
        SIPResponse response;
        try {
            response = answerTo(request, answer);
        } catch (Exception e) {
            // The plan's targets are checked when it loads, so this is a bug; the caller still gets
            // a final answer instead of waiting for Timer B, as the servlet path would give it.
            LOG.log(Level.WARNING, "dialroute: call " + callId + ": could not build its answer " + String.join(" ", answer)
                    + "; answered 500", e);
            response = request.createResponse(Response.SERVER_INTERNAL_ERROR, "Server Internal Error");
        }
        try {
            response.getTo().setTag(tagFor(request));
            StatelessReplies.send(stack, response, channel);
        } catch (Exception e) {
            // The caller retransmits and gets the remembered answer.
            LOG.log(Level.FINE, "could not send the answer to call " + callId, e);
        }
        return false;
    }

    /**
     * Whether an INVITE with this transaction id was answered here in the last 32 s (as far as the
     * memory of {@link RecentAnswers} reaches): for {@link CallAdmissionValve}, which must not
     * judge a copy of it as a new call.
     */
    static boolean answeredRecently(String transactionId) {
        return RECENT.find(transactionId, System.nanoTime()) != null;
    }

    private static boolean isRecordRoute(String[] answer) {
        return answer.length >= 1 && answer.length <= 2 && RECORD_ROUTE.equals(answer[0]);
    }

    /**
     * dialroute's Record-Route for the side the call came from, and when it leaves over another
     * transport, a second one on top for the side it goes to (RFC 5658): each side then reaches
     * dialroute over its own transport.
     */
    private void recordRoute(SIPRequest request, MessageChannel channel, String in, String out) throws ParseException, SipException {
        InCallForwardValve.recordRoute(request, channel.getHost(), channel.getPort(), in);
        if (!out.equals(in)) {
            MessageProcessor egress = listeningPoints.sender(out, channel.getHost(), channel.getPort());
            if (egress == null) {
                throw new SipException("no " + out + " listening point for the callee's side");
            }
            InCallForwardValve.recordRoute(request, egress.getIpAddress().getHostAddress(), egress.getPort(), out);
        }
    }

    /** sip:, sips: and tel: URIs; any other scheme is the servlet's (416). */
    private static boolean carriesNumber(URI uri) {
        return uri instanceof SipURI || uri instanceof TelURL;
    }

    /**
     * The user part of a sip:/sips: URI as the container decodes it for the servlet, or the number
     * of a tel: URI with the '+' of a global number, as RoutingServlet.dialledUser takes it; null
     * when a SIP URI has no user part. Only for URIs that {@link #carriesNumber}.
     */
    private static String number(URI uri) {
        if (uri instanceof SipURI sip) {
            return sip.getUser() == null ? null : RFC2396UrlDecoder.decode(sip.getUser());
        }
        TelURL tel = (TelURL) uri;
        return tel.isGlobal() ? "+" + tel.getPhoneNumber() : tel.getPhoneNumber();
    }

    /**
     * True without Route headers, or when each names one of this stack's own listening points by
     * IP address (an outbound proxy's preloaded route to dialroute): the container would remove
     * them and treat the INVITE as if they were not there. A Route to anything else, or naming a
     * host by name (no DNS lookup here), goes to the container.
     */
    private boolean routesOnlyToUs(SIPRequest request) {
        ListIterator<?> routes = request.getHeaders(RouteHeader.NAME);
        while (routes != null && routes.hasNext()) {
            if (!(((RouteHeader) routes.next()).getAddress().getURI() instanceof SipURI uri) || !listeningPoints.isOwnAddress(uri)) {
                return false;
            }
        }
        return true;
    }

    private SIPResponse answerTo(SIPRequest request, String[] answer) throws Exception {
        SIPResponse response = request.createResponse(Integer.parseInt(answer[0]), answer[1]);
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
