package dialroute.sip;

import dialroute.dialplan.Action;
import dialroute.dialplan.Decision;
import dialroute.dialplan.Target;
import java.io.IOException;
import java.util.logging.Level;
import java.util.logging.Logger;
import javax.servlet.sip.Proxy;
import javax.servlet.sip.ServletParseException;
import javax.servlet.sip.SipFactory;
import javax.servlet.sip.SipServletRequest;
import javax.servlet.sip.SipServletResponse;
import javax.servlet.sip.SipURI;
import javax.servlet.sip.TooManyHopsException;

/**
 * Puts a decision on the wire: one short method per action. Every path ends in exactly one
 * {@code proxyTo} or one {@code send()}.
 */
final class SipActions {
    private static final Logger LOG = Logger.getLogger("dialroute");

    private final SipFactory factory;

    SipActions(SipFactory factory) {
        this.factory = factory;
    }

    void perform(SipServletRequest request, Decision decision) throws IOException {
        Action action = decision.action();
        try {
            if (action instanceof Action.ProxyTo proxyTo) {
                proxy(request, decision.number(), proxyTo);
            } else if (action instanceof Action.RedirectTo redirectTo) {
                redirect(request, decision.number(), redirectTo);
            } else if (action instanceof Action.Reject reject) {
                reject(request, reject);
            }
        } catch (ServletParseException | RuntimeException e) {
            // Targets are validated when the plan loads, so this is a bug or a container refusal;
            // the caller still gets a final answer instead of waiting for Timer B.
            LOG.log(Level.WARNING, "call " + request.getCallId() + ": could not carry out " + decision, e);
            request.createResponse(SipServletResponse.SC_SERVER_INTERNAL_ERROR).send();
        }
    }

    private void proxy(SipServletRequest request, String number, Action.ProxyTo proxyTo)
            throws ServletParseException, IOException {
        SipURI destination = uriFor(proxyTo.target(), number);
        if (destination.getTransportParam() == null && !destination.isSecure()) {
            // RFC 3263 section 4.1: a sip: URI that names no transport is reached over UDP. Without
            // this the container would reuse the caller's transport, so a TCP caller could not
            // reach a UDP-only server.
            destination.setTransportParam("udp");
        }
        Proxy proxy;
        try {
            proxy = request.getProxy();
        } catch (TooManyHopsException e) {
            // Max-Forwards reached 0: forwarding again would feed a loop (RFC 3261 section 16.3).
            request.createResponse(SipServletResponse.SC_TOO_MANY_HOPS).send();
            return;
        }
        // Record-Route keeps ACK, BYE and re-INVITEs of the call passing through dialroute.
        proxy.setRecordRoute(proxyTo.recordRoute());
        // Responses need no servlet code; the container relays them and handles CANCEL.
        proxy.setSupervised(false);
        proxy.proxyTo(destination);
    }

    private void redirect(SipServletRequest request, String number, Action.RedirectTo redirectTo)
            throws ServletParseException, IOException {
        SipServletResponse response = request.createResponse(SipServletResponse.SC_MOVED_TEMPORARILY);
        response.setAddressHeader("Contact", factory.createAddress(uriFor(redirectTo.contact(), number)));
        response.send();
    }

    private static void reject(SipServletRequest request, Action.Reject reject) throws IOException {
        SipServletResponse response = reject.reason() == null
                ? request.createResponse(reject.status())
                : request.createResponse(reject.status(), reject.reason());
        response.send();
    }

    /** The target's URI with the number as its user part. */
    private SipURI uriFor(Target target, String number) throws ServletParseException {
        SipURI uri = (SipURI) factory.createURI(target.uri());
        uri.setUser(number);
        return uri;
    }
}
