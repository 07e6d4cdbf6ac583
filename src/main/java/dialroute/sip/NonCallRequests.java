package dialroute.sip;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.ListIterator;
import java.util.Locale;
import java.util.Set;
import javax.servlet.sip.SipServletRequest;
import javax.servlet.sip.SipServletResponse;

/**
 * The answers to new requests that are no call dialroute can route. The application router hands
 * dialroute every new request, whatever its method (conf/dars: {@code ALL}), because a request no
 * application takes is relayed by the container to the host of its Request-URI: an open relay,
 * and a DNS lookup of whatever name a stranger writes there. dialroute routes INVITEs and relays
 * nothing else, so every other new request is answered here, by the rules of RFC 3261.
 */
final class NonCallRequests {
    /** The methods dialroute takes part in: calls, and OPTIONS answered for itself. */
    static final String ALLOW = "INVITE, ACK, CANCEL, BYE, OPTIONS";

    /** Methods that only make sense inside a dialog: new, they name a call that does not exist. */
    private static final Set<String> IN_DIALOG_ONLY = Set.of("BYE", "INFO", "UPDATE", "PRACK", "NOTIFY");
    /** Methods of RFC 3261 and its extensions that dialroute knows and does not serve. */
    private static final Set<String> NOT_SERVED = Set.of("REGISTER", "MESSAGE", "SUBSCRIBE", "PUBLISH", "REFER");
    /** Request-URI schemes a number can be taken from. */
    private static final Set<String> SCHEMES = Set.of("sip", "sips", "tel");

    private NonCallRequests() {
    }

    /**
     * Answers a new request that must not reach routing, and says whether it did: a Request-URI
     * scheme dialroute cannot route (416, RFC 3261 8.2.2.1), an extension it was required to
     * support (420, RFC 3261 8.2.2.3 and 16.3), or any method but INVITE.
     */
    static boolean answered(SipServletRequest request) throws IOException {
        if (!SCHEMES.contains(request.getRequestURI().getScheme().toLowerCase(Locale.ROOT))) {
            request.createResponse(SipServletResponse.SC_UNSUPPORTED_URI_SCHEME).send();
            return true;
        }
        boolean call = request.getMethod().equals("INVITE");
        // dialroute supports no option tag. Proxy-Require binds it in every role; Require binds
        // the requests it answers itself (a proxied INVITE's Require is for the callee).
        List<String> unsupported = optionTags(request, "Proxy-Require");
        if (!call) {
            unsupported.addAll(optionTags(request, "Require"));
        }
        if (!unsupported.isEmpty()) {
            SipServletResponse response = request.createResponse(SipServletResponse.SC_BAD_EXTENSION);
            for (String tag : unsupported) {
                response.addHeader("Unsupported", tag);
            }
            response.send();
            return true;
        }
        if (call) {
            return false;
        }
        String method = request.getMethod();
        SipServletResponse response;
        if (method.equals("OPTIONS")) {
            // A PBX asking whether dialroute is up (RFC 3261 11.2): it is, and this is what it does.
            response = request.createResponse(SipServletResponse.SC_OK);
            response.setHeader("Accept", "application/sdp");
        } else if (IN_DIALOG_ONLY.contains(method)) {
            response = request.createResponse(SipServletResponse.SC_CALL_LEG_DONE);
        } else if (NOT_SERVED.contains(method)) {
            // RFC 3261 8.2.1: a method known but not served is 405, with what is served in Allow.
            response = request.createResponse(SipServletResponse.SC_METHOD_NOT_ALLOWED);
        } else {
            // RFC 3261 8.2.1: a method not understood is 501.
            response = request.createResponse(SipServletResponse.SC_NOT_IMPLEMENTED);
        }
        response.setHeader("Allow", ALLOW);
        response.send();
        return true;
    }

    private static List<String> optionTags(SipServletRequest request, String header) {
        List<String> tags = new ArrayList<>();
        for (ListIterator<String> values = request.getHeaders(header); values.hasNext(); ) {
            tags.add(values.next().trim());
        }
        return tags;
    }
}
