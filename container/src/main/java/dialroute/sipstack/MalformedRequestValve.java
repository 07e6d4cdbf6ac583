package dialroute.sipstack;

import gov.nist.core.CommonLogger;
import gov.nist.core.LogLevels;
import gov.nist.core.StackLogger;
import gov.nist.javax.sip.Utils;
import gov.nist.javax.sip.header.Contact;
import gov.nist.javax.sip.header.ContactList;
import gov.nist.javax.sip.header.Via;
import gov.nist.javax.sip.message.SIPRequest;
import gov.nist.javax.sip.message.SIPResponse;
import gov.nist.javax.sip.stack.MessageChannel;
import gov.nist.javax.sip.stack.SIPMessageValve;

import java.io.IOException;
import java.text.ParseException;
import java.util.regex.Pattern;

import javax.sip.SipStack;
import javax.sip.address.Address;
import javax.sip.address.URI;
import javax.sip.header.HeaderAddress;
import javax.sip.message.Request;
import javax.sip.message.Response;

/**
 * Answers a request the stack parsed but that breaks RFC 3261 with a stateless 400 or 505 (plain
 * reason phrase, To tag added), before any transaction exists and before the container sees it.
 * Installed in {@code gov.nist.javax.sip.SIP_MESSAGE_VALVE} (conf/mss-sip-stack.properties).
 *
 * <p>Why here: without it the container answers such requests wrongly. A request that fails the
 * stack's own header check ({@link SIPRequest#checkHeaders()}: an INVITE without Contact, a CSeq
 * method unlike the request's, no Max-Forwards) is refused a server transaction and the container
 * answers 500; a request of another SIP version (RFC 3261 8.2.2.3 wants 505) is served as if it
 * were SIP/2.0, because the stack's parser does not keep the version; and a From, To or Contact
 * whose URI scheme is not a scheme at all ({@code <si):raw@host>}, RFC 3986 3.1) passes the stack's
 * parser but makes the container's application router throw, which is another 500. ACKs are never
 * answered (RFC 3261 17.2.3): a malformed one is dropped.
 *
 * <p>The header check is the one the stack runs when the container asks it for a server
 * transaction, which the container does for every request but ACK; so a request refused here for
 * it (an RFC 2543 request without Max-Forwards, for instance) is one the container answered 500
 * before, never one it served.
 */
public final class MalformedRequestValve implements SIPMessageValve {

    private static final StackLogger LOGGER = CommonLogger.getLogger(MalformedRequestValve.class);

    /** RFC 3986 3.1: scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ). */
    private static final Pattern URI_SCHEME = Pattern.compile("[A-Za-z][A-Za-z0-9+.-]*");

    private static final String SIP_VERSION = "SIP/2.0";

    @Override
    public void init(SipStack stack) {
        // Stateless: nothing to set up.
    }

    @Override
    public boolean processRequest(SIPRequest request, MessageChannel channel) {
        int status;
        String reason;
        if (!isSip20(request)) {
            status = Response.VERSION_NOT_SUPPORTED;
            reason = "Version Not Supported";
        } else {
            String defect = defect(request);
            if (defect == null) {
                return true;
            }
            status = Response.BAD_REQUEST;
            reason = "Bad Request";
            if (LOGGER.isLoggingEnabled(LogLevels.TRACE_DEBUG)) {
                LOGGER.logDebug("malformed " + request.getMethod() + " answered " + status + ": " + defect);
            }
        }
        if (!Request.ACK.equals(request.getMethod())) {
            answer(request, channel, status, reason);
        }
        return false;
    }

    /**
     * The top Via's protocol version. The request line's cannot be checked: this stack's parser
     * records it as SIP/2.0 whatever the request says (it builds the "Expecting SIP/2.0" error and
     * never throws it), so a request of another version is recognised by its Via, which the sender
     * writes with the same version (RFC 3261 8.1.1.7; RFC 4475 3.1.2.16).
     */
    private static boolean isSip20(SIPRequest request) {
        Via top = request.getTopmostVia();
        return top == null || top.getSentProtocol() == null
                || SIP_VERSION.equalsIgnoreCase(top.getSentProtocol().getProtocol());
    }

    /** Why the request is not acceptable, or null when it is. */
    private static String defect(SIPRequest request) {
        if (!Request.ACK.equals(request.getMethod())) {
            try {
                request.checkHeaders();
            } catch (ParseException e) {
                return e.getMessage();
            }
        }
        if (!hasSchemeSyntax(request.getRequestURI())) {
            return "Request-URI scheme";
        }
        if (!hasSchemeSyntax(request.getFromHeader()) || !hasSchemeSyntax(request.getToHeader())) {
            return "From or To URI scheme";
        }
        ContactList contacts = request.getContactHeaders();
        if (contacts != null) {
            for (Contact contact : contacts) {
                if (!contact.isWildCard() && !hasSchemeSyntax(contact)) {
                    return "Contact URI scheme";
                }
            }
        }
        return null;
    }

    private static boolean hasSchemeSyntax(HeaderAddress header) {
        if (header == null) {
            return true; // a missing header is checkHeaders' business
        }
        Address address = header.getAddress();
        return address != null && hasSchemeSyntax(address.getURI());
    }

    private static boolean hasSchemeSyntax(URI uri) {
        return uri != null && uri.getScheme() != null && URI_SCHEME.matcher(uri.getScheme()).matches();
    }

    private static void answer(SIPRequest request, MessageChannel channel, int status, String reason) {
        SIPResponse response = request.createResponse(status, reason);
        try {
            if (response.getTo() != null && response.getTo().getTag() == null) {
                response.getTo().setTag(Utils.getInstance().generateTag());
            }
            channel.sendMessage(response);
        } catch (ParseException | IOException e) {
            LOGGER.logWarning("could not answer a malformed request with " + status + ": " + e);
        }
    }

    @Override
    public boolean processResponse(Response response, MessageChannel channel) {
        return true;
    }

    @Override
    public void destroy() {
        // Stateless: nothing to release.
    }
}
