package dialroute.it.ua;

import gov.nist.javax.sip.message.SIPRequest;
import gov.nist.javax.sip.stack.MessageChannel;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

import javax.sip.address.SipURI;
import javax.sip.address.URI;
import javax.sip.header.ViaHeader;
import javax.sip.message.Request;

/**
 * A request as a {@link TestPhone} received it.
 *
 * @param method     the method, upper case ("INVITE", "ACK", "BYE", "CANCEL"...)
 * @param requestUri the Request-URI as JAIN-SIP renders it, e.g. {@code sip:123@127.0.0.1:5191}
 * @param user       the user part of a sip/sips Request-URI (the dialled number), or {@code null}
 * @param transport  the transport the request actually arrived over, lower case: "udp" or "tcp"
 *                   (the same spelling {@link TestPhone#call} takes)
 * @param headers    every header value as JAIN-SIP renders it after the colon, one entry per value
 *                   in message order, keyed case-insensitively by full header name; unmodifiable
 * @param raw        the whole message as JAIN-SIP re-encodes it
 */
public record ReceivedRequest(String method, String requestUri, String user, String transport,
                              Map<String, List<String>> headers, String raw) implements HeaderLookup {

    public ReceivedRequest {
        Objects.requireNonNull(method, "method");
        Objects.requireNonNull(raw, "raw");
        headers = SipHeaders.normalize(headers);
    }

    static ReceivedRequest of(Request request) {
        URI uri = request.getRequestURI();
        String user = uri instanceof SipURI sipUri ? sipUri.getUser() : null;
        return new ReceivedRequest(request.getMethod(), uri.toString(), user, arrivalTransport(request),
                SipHeaders.of(request), request.toString());
    }

    /**
     * The transport of the channel the RI read the request from; the top Via only as a fallback,
     * because a Via says what the sender claims, not what the packet came over.
     */
    private static String arrivalTransport(Request request) {
        String transport = null;
        if (request instanceof SIPRequest sipRequest
                && sipRequest.getMessageChannel() instanceof MessageChannel channel) {
            transport = channel.getTransport();
        }
        if (transport == null && request.getHeader(ViaHeader.NAME) instanceof ViaHeader via) {
            transport = via.getTransport();
        }
        return transport == null ? null : transport.toLowerCase(Locale.ROOT);
    }

    /** Request line and arrival transport, for assertion messages; the whole message is in {@link #raw()}. */
    @Override
    public String toString() {
        return method + " " + requestUri + " (over " + transport + ")";
    }
}
