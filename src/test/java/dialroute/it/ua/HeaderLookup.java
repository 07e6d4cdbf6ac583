package dialroute.it.ua;

import java.util.List;
import java.util.Map;

/** Header access shared by received requests and responses, as the wire rendered them. */
interface HeaderLookup {
    Map<String, List<String>> headers();

    /**
     * The first value of the named header, or {@code null} if there is none. The name is matched
     * case-insensitively and may be a compact form ("m" for Contact, "v" for Via...).
     */
    default String header(String name) {
        List<String> values = headers(name);
        return values.isEmpty() ? null : values.get(0);
    }

    /** All values of the named header in message order (empty if absent); name matched as in {@link #header}. */
    default List<String> headers(String name) {
        return SipHeaders.lookup(headers(), name);
    }
}
