package dialroute.sipstack;

import gov.nist.core.Host;
import gov.nist.core.HostPort;
import gov.nist.javax.sip.address.AddressImpl;
import gov.nist.javax.sip.address.SipUri;
import gov.nist.javax.sip.header.MaxForwards;
import gov.nist.javax.sip.header.RecordRoute;
import gov.nist.javax.sip.header.Route;
import gov.nist.javax.sip.header.RouteList;
import gov.nist.javax.sip.header.Via;
import gov.nist.javax.sip.message.SIPMessage;
import gov.nist.javax.sip.message.SIPRequest;
import gov.nist.javax.sip.message.SIPResponse;
import gov.nist.javax.sip.stack.MessageChannel;
import gov.nist.javax.sip.stack.MessageProcessor;
import gov.nist.javax.sip.stack.SIPMessageValve;
import gov.nist.javax.sip.stack.SIPTransactionStack;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.text.ParseException;
import java.util.HexFormat;
import java.util.Locale;
import java.util.logging.Level;
import java.util.logging.Logger;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import javax.sip.InvalidArgumentException;
import javax.sip.SipException;
import javax.sip.SipStack;
import javax.sip.address.URI;
import javax.sip.header.RouteHeader;
import javax.sip.message.Request;
import javax.sip.message.Response;

/**
 * Keeps dialroute in the path of the calls it proxies without keeping anything for the requests
 * inside them: ACK, BYE, re-INVITE, UPDATE and the rest, and their responses, are forwarded here,
 * statelessly (RFC 3261 section 16.11), before any transaction or session exists.
 *
 * <p>How a call comes here: when the plan proxies a call with record-routing over UDP or TCP and
 * IPv4, {@link StatelessAnswerValve} puts dialroute's Record-Route on the INVITE as it arrives
 * ({@link #recordRoute}; two, one per side, when the call changes transport, RFC 5658), and the container proxies it without one of its own, so its
 * transactions and sessions end with the call's answer. The caller and the callee then send every
 * request of the call with that URI as their top Route; this valve removes it and sends the
 * request on (loose routing, RFC 3261 section 16.6; a strict router before or after dialroute is
 * handled as section 16.4 and 16.6 step 6 say), with a Via whose branch starts with
 * {@link #BRANCH_PREFIX}, by which the responses are recognised and sent back along the Vias.
 *
 * <p>Why: through the container each BYE held a server transaction for Timer J (32 s over UDP),
 * and with it the call's SIP and application sessions and its proxy, about 20 KB per call, and
 * the in-call requests were a third of the container's work per call. A proxy may be stateful for
 * one request and stateless for another (RFC 3261 section 16); copies of a forwarded request are
 * forwarded again and absorbed by the user agents' transactions.
 *
 * <p>Not an open relay for strangers: the Record-Route URI carries {@link #MARK} with a signature
 * of the call's Call-ID and the caller's tag (HMAC-SHA256 under a key made when the container
 * starts), and a request inside a call whose route does not carry the right signature for its
 * Call-ID and tags is answered 403. The signature does not expire: whoever took part in a call
 * could send further requests with that call's Call-ID and tags through dialroute to another
 * address, as through any proxy that keeps no dialog state; the container, which kept the dialog,
 * refused them once the call had ended. Responses are forwarded only with a branch dialroute made
 * for the request (an HMAC as well), so a forged response cannot be bounced off dialroute. The
 * key is not kept: requests of calls set up before a restart of the container are refused, as
 * they were when the container kept the calls' sessions.
 *
 * <p>Also forwarded here: a 2xx to an INVITE that matches no client transaction (the callee
 * retransmits it until the caller's ACK arrives, and the proxy's transaction ended with the first
 * one), which RFC 3261 section 16.7 says a proxy forwards statelessly.
 *
 * <p>Configured in conf/mss-sip-stack.properties ({@code gov.nist.javax.sip.SIP_MESSAGE_VALVE}),
 * before {@link StrayResponseValve}, which would hand those 2xx to the container.
 */
public final class InCallForwardValve implements SIPMessageValve {
    /** The Record-Route URI parameter that marks dialroute's route; its value is the signature. */
    static final String MARK = "dialroute-call";
    /** Start of the Via branch of every request forwarded here (RFC 3261 magic cookie first). */
    static final String BRANCH_PREFIX = "z9hG4bK-dialroute-";

    private static final Logger LOG = Logger.getLogger("dialroute");
    private static final String HMAC = "HmacSHA256";
    /** 80 bits of the HMAC: enough that guessing one is hopeless, short enough for every route. */
    private static final int SIGNATURE_BYTES = 10;
    /** 96 bits: branches of different requests must not collide at the next hop (RFC 3261 17.2.3). */
    private static final int BRANCH_BYTES = 12;
    private static final SecretKeySpec KEY = newKey();
    private static final ThreadLocal<Mac> MACS = ThreadLocal.withInitial(InCallForwardValve::newMac);

    /** Whether a SIP stack with this valve is running: only then may a call be record-routed in the stack. */
    private static volatile boolean running;

    private SIPTransactionStack stack;
    private ListeningPoints listeningPoints;

    @Override
    public void init(SipStack sipStack) {
        stack = (SIPTransactionStack) sipStack;
        listeningPoints = new ListeningPoints(sipStack);
        running = true;
    }

    /**
     * Whether the requests inside a call record-routed by {@link #recordRoute} will find this valve;
     * without it they would reach a container that knows nothing of the call.
     */
    static boolean running() {
        return running;
    }

    /**
     * Puts dialroute's Record-Route on top of a new INVITE that the container will proxy: the
     * address, port and transport of the listening point it arrived on, loose routing, and the
     * signed mark.
     */
    static void recordRoute(SIPRequest invite, String address, int port, String transport) throws ParseException, SipException {
        SipUri uri = new SipUri();
        uri.setHost(address.indexOf(':') >= 0 && !address.startsWith("[") ? "[" + address + "]" : address);
        uri.setPort(port);
        uri.setTransportParam(transport.toLowerCase(Locale.ROOT));
        uri.setLrParam();
        uri.setParameter(MARK, signature(invite.getCallId().getCallId(), invite.getFromTag()));
        AddressImpl nameAddress = new AddressImpl();
        nameAddress.setURI(uri);
        RecordRoute recordRoute = new RecordRoute();
        recordRoute.setAddress(nameAddress);
        invite.addFirst(recordRoute);
    }

    @Override
    public boolean processRequest(SIPRequest request, MessageChannel channel) {
        Route top = (Route) request.getHeader(RouteHeader.NAME);
        SipUri ours;
        boolean strictlyRouted = false;
        if (top != null && top.getAddress().getURI() instanceof SipUri uri && uri.hasParameter(MARK)) {
            ours = uri;
        } else if (request.getRequestURI() instanceof SipUri uri && uri.hasParameter(MARK)) {
            ours = uri; // the hop before dialroute is a strict router (RFC 3261 section 16.4)
            strictlyRouted = true;
        } else {
            return true;
        }
        if (request.getToTag() == null) {
            return true; // not inside a call: the container takes it as a new request
        }
        String callId = request.getCallId().getCallId();
        String method = request.getMethod();
        // Signed for the Call-ID and the caller's tag, which is the From tag of the caller's
        // requests and the To tag of the callee's.
        byte[] given = String.valueOf(ours.getParameter(MARK)).getBytes(StandardCharsets.US_ASCII);
        if (!MessageDigest.isEqual(signature(callId, request.getFromTag()).getBytes(StandardCharsets.US_ASCII), given)
                && !MessageDigest.isEqual(signature(callId, request.getToTag()).getBytes(StandardCharsets.US_ASCII), given)) {
            LOG.log(Level.FINE, () -> method + " of call " + callId + " from " + channel.getPeerAddress()
                    + " names a route dialroute did not give that call; answered 403");
            answer(request, channel, Response.FORBIDDEN, "Forbidden");
            return false;
        }
        try {
            forward(request, channel, ours, strictlyRouted);
        } catch (IOException | ParseException | SipException | InvalidArgumentException | RuntimeException e) {
            // The sender retransmits; a next hop that stays unreachable is the sender's timeout.
            LOG.log(Level.FINE, "could not forward " + method + " of call " + callId, e);
        }
        return false;
    }

    private void forward(SIPRequest request, MessageChannel channel, SipUri ours, boolean strictlyRouted)
            throws IOException, ParseException, SipException, InvalidArgumentException {
        MaxForwards maxForwards = (MaxForwards) request.getMaxForwards();
        if (maxForwards == null) {
            maxForwards = new MaxForwards();
            maxForwards.setMaxForwards(70); // RFC 3261 section 16.6 step 3
            request.setHeader(maxForwards);
        } else if (maxForwards.getMaxForwards() <= 0) {
            answer(request, channel, Response.TOO_MANY_HOPS, "Too Many Hops");
            return;
        } else {
            maxForwards.setMaxForwards(maxForwards.getMaxForwards() - 1);
        }
        RouteList routes = request.getRouteHeaders();
        if (strictlyRouted) {
            if (routes == null || routes.isEmpty()) {
                answer(request, channel, Response.BAD_REQUEST, "Bad Request");
                return;
            }
            request.setRequestURI(((Route) routes.getLast()).getAddress().getURI());
            request.removeLast(RouteHeader.NAME);
        } else {
            request.removeFirst(RouteHeader.NAME);
        }
        Route next = (Route) request.getHeader(RouteHeader.NAME);
        if (next != null && next.getAddress().getURI() instanceof SipUri second
                && String.valueOf(ours.getParameter(MARK)).equals(second.getParameter(MARK))) {
            // dialroute's second Record-Route, for the other transport (RFC 5658): also used up here.
            request.removeFirst(RouteHeader.NAME);
            next = (Route) request.getHeader(RouteHeader.NAME);
        }
        URI target;
        if (next == null) {
            target = request.getRequestURI();
        } else if (next.getAddress().getURI() instanceof SipUri nextUri && !nextUri.hasLrParam()) {
            // A strict router next (RFC 3261 section 16.6 step 6): it gets the request as its Request-URI.
            Route last = new Route();
            AddressImpl address = new AddressImpl();
            address.setURI(request.getRequestURI());
            last.setAddress(address);
            request.removeFirst(RouteHeader.NAME);
            request.addLast(last);
            request.setRequestURI(nextUri);
            target = nextUri;
        } else {
            target = next.getAddress().getURI();
        }
        if (!(target instanceof SipUri sip)) {
            answer(request, channel, Response.UNSUPPORTED_URI_SCHEME, "Unsupported URI Scheme");
            return;
        }
        String transport = sip.isSecure() ? "tls"
                : sip.getTransportParam() == null ? "udp" : sip.getTransportParam().toLowerCase(Locale.ROOT);
        MessageProcessor sender = listeningPoints.sender(transport, channel.getHost(), channel.getPort());
        if (sender == null) {
            answer(request, channel, Response.SERVICE_UNAVAILABLE, "Service Unavailable");
            return;
        }
        Via via = new Via();
        via.setHost(sender.getIpAddress().getHostAddress());
        via.setPort(sender.getPort());
        via.setTransport(transport.toUpperCase(Locale.ROOT));
        Via arrivedWith = request.getTopmostVia();
        via.setBranch(branchFor(arrivedWith, request.getCallId().getCallId(), request.getCSeq().getSeqNumber(), request.getFromTag()));
        via.setRPort();
        request.addFirst(via);
        int port = sip.getPort() != -1 ? sip.getPort() : "tls".equals(transport) ? 5061 : 5060;
        send(request, sender, sip.getHost(), port);
    }

    /**
     * The branch of a request forwarded here: the same for every copy of a request and for a
     * CANCEL of it, a different one for any other request (RFC 3261 section 16.11), and one only
     * dialroute can make: an HMAC of the Via the request arrived with (its branch, or for an RFC
     * 2543 sender without one, the CSeq number and From tag) and the Call-ID. Its response carries
     * that Via and Call-ID back, so the response is checked against it before it is sent on.
     */
    private static String branchFor(Via arrivedWith, String callId, long cseq, String fromTag) {
        String branch = arrivedWith.getBranch();
        String key = "branch|" + (branch != null ? branch : "2543|" + cseq + "|" + fromTag) + "|"
                + arrivedWith.getSentBy().encode() + "|" + callId;
        return BRANCH_PREFIX + mac(key, BRANCH_BYTES);
    }

    @Override
    public boolean processResponse(Response response, MessageChannel channel) {
        SIPResponse sipResponse = StatelessReplies.checkable(response);
        if (sipResponse == null) {
            return true; // the stack's own checks answer for malformed responses
        }
        Via ours = sipResponse.getTopmostVia();
        String branch = ours.getBranch();
        boolean forwardedHere = branch != null && branch.startsWith(BRANCH_PREFIX);
        boolean unmatched2xx = !forwardedHere && isUnmatched2xxToInvite(sipResponse);
        if (!forwardedHere && !unmatched2xx
                || !listeningPoints.isOwnAddress(ours.getHost(), ours.getPort() != -1 ? ours.getPort() : 5060)) {
            return true; // not dialroute's, or not sent by it (RFC 3261 section 18.1.2): the stack's
        }
        if (sipResponse.getViaHeaders().size() < 2) {
            // Nobody to send it on to: a response to dialroute itself, or a broken one of ours.
            return !forwardedHere;
        }
        Via next = (Via) sipResponse.getViaHeaders().get(1);
        String callId = sipResponse.getCallId().getCallId();
        if (forwardedHere && !MessageDigest.isEqual(branch.getBytes(StandardCharsets.US_ASCII),
                branchFor(next, callId, sipResponse.getCSeq().getSeqNumber(), sipResponse.getFromTag()).getBytes(StandardCharsets.US_ASCII))) {
            LOG.log(Level.FINE, () -> "a " + sipResponse.getStatusCode() + " of call " + callId + " from " + channel.getPeerAddress()
                    + " carries a dialroute branch dialroute did not make for it; dropped");
            return false;
        }
        // RFC 3261 section 18.2.2 and RFC 3581: received and rport when the sender left them.
        String host = next.getReceived() != null ? next.getReceived() : next.getHost();
        int port = StatelessReplies.answerPort(next);
        String transport = next.getTransport().toLowerCase(Locale.ROOT);
        // Only to an address, never a name (no DNS lookup on a stack thread); a 2xx copy, which
        // carries no proof that dialroute forwarded its request, only over UDP (no connection
        // opened to wherever its Via points): otherwise the container's, as before.
        if (!ListeningPoints.isIpLiteral(host) || unmatched2xx && !"udp".equals(transport)) {
            return unmatched2xx;
        }
        sipResponse.removeFirst(Via.NAME);
        try {
            MessageProcessor sender = listeningPoints.sender(transport, channel.getHost(), channel.getPort());
            if (sender != null) {
                send(sipResponse, sender, host, port);
            }
        } catch (IOException | RuntimeException e) {
            LOG.log(Level.FINE, "could not forward a " + sipResponse.getStatusCode() + " of call " + callId, e);
        }
        return false;
    }

    /** A callee's copy of its 2xx to a proxied INVITE, after the proxy's client transaction ended. */
    private boolean isUnmatched2xxToInvite(SIPResponse response) {
        int status = response.getStatusCode();
        return status >= 200 && status < 300 && Request.INVITE.equals(response.getCSeq().getMethod())
                && stack.findTransaction(response.getTransactionId(), false) == null;
    }

    private static void send(SIPMessage message, MessageProcessor sender, String host, int port) throws IOException {
        Host targetHost = new Host();
        targetHost.setHostname(host);
        HostPort target = new HostPort();
        target.setHost(targetHost);
        target.setPort(port);
        MessageChannel out = sender.createMessageChannel(target);
        out.sendMessage(message);
    }

    /** A stateless answer to a request that cannot be forwarded; an ACK gets none (RFC 3261 17). */
    private void answer(SIPRequest request, MessageChannel channel, int status, String reason) {
        if (Request.ACK.equals(request.getMethod())) {
            return;
        }
        try {
            StatelessReplies.send(stack, request.createResponse(status, reason), channel);
        } catch (IOException | RuntimeException e) {
            LOG.log(Level.FINE, "could not answer " + request.getMethod() + " of call " + request.getCallId().getCallId(), e);
        }
    }

    /**
     * The signature a route of this call carries: hex of the first bytes of HMAC-SHA256 of the
     * Call-ID and the caller's tag.
     */
    static String signature(String callId, String callerTag) {
        return mac("route|" + callId + "|" + callerTag, SIGNATURE_BYTES);
    }

    private static String mac(String text, int bytes) {
        byte[] mac = MACS.get().doFinal(text.getBytes(StandardCharsets.UTF_8));
        return HexFormat.of().formatHex(mac, 0, bytes);
    }

    private static SecretKeySpec newKey() {
        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        return new SecretKeySpec(key, HMAC);
    }

    private static Mac newMac() {
        try {
            Mac mac = Mac.getInstance(HMAC);
            mac.init(KEY);
            return mac;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("this JDK has no " + HMAC, e);
        }
    }

    @Override
    public void destroy() {
        running = false;
    }
}
