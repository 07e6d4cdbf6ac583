package dialroute.it.ua;

import java.util.List;
import java.util.Map;
import java.util.Objects;

import javax.sip.message.Response;

/**
 * A response as a {@link TestPhone} received it.
 *
 * @param status  the status code
 * @param reason  the reason phrase
 * @param headers every header value as JAIN-SIP renders it after the colon (for example
 *                {@code <sip:123@127.0.0.1:5191>} for a Contact), one entry per value in message
 *                order, keyed case-insensitively by full header name; unmodifiable
 * @param raw     the whole message as JAIN-SIP re-encodes it, for failure messages and ad-hoc checks
 */
public record ReceivedResponse(int status, String reason, Map<String, List<String>> headers, String raw) implements HeaderLookup {

    public ReceivedResponse {
        Objects.requireNonNull(raw, "raw");
        headers = SipHeaders.normalize(headers);
    }

    static ReceivedResponse of(Response response) {
        return new ReceivedResponse(response.getStatusCode(), response.getReasonPhrase(),
                SipHeaders.of(response), response.toString());
    }

    /** Status line, for assertion messages; the whole message is in {@link #raw()}. */
    @Override
    public String toString() {
        return "SIP/2.0 " + status + " " + reason;
    }
}
