package dialroute.it.ua;

import gov.nist.javax.sip.header.SIPHeader;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

import javax.sip.header.Header;
import javax.sip.message.Message;

/**
 * Header bookkeeping shared by {@link ReceivedRequest} and {@link ReceivedResponse}: values are kept
 * as the text JAIN-SIP renders after the colon, one entry per header value (a comma-joined or
 * repeated header such as Via or Record-Route gives one entry per hop, in message order), and names
 * are looked up case-insensitively with the RFC 3261 compact forms ("m", "v", "i"...) accepted.
 */
final class SipHeaders {

    /** Compact forms of RFC 3261 7.3.3 and of the extensions that define one. */
    private static final Map<String, String> COMPACT_FORMS = Map.ofEntries(
            Map.entry("a", "Accept-Contact"),
            Map.entry("b", "Referred-By"),
            Map.entry("c", "Content-Type"),
            Map.entry("d", "Request-Disposition"),
            Map.entry("e", "Content-Encoding"),
            Map.entry("f", "From"),
            Map.entry("i", "Call-ID"),
            Map.entry("j", "Reject-Contact"),
            Map.entry("k", "Supported"),
            Map.entry("l", "Content-Length"),
            Map.entry("m", "Contact"),
            Map.entry("n", "Identity-Info"),
            Map.entry("o", "Event"),
            Map.entry("r", "Refer-To"),
            Map.entry("s", "Subject"),
            Map.entry("t", "To"),
            Map.entry("u", "Allow-Events"),
            Map.entry("v", "Via"),
            Map.entry("x", "Session-Expires"),
            Map.entry("y", "Identity"));

    private SipHeaders() {
    }

    /** The headers of a parsed JAIN-SIP message, as {@link #normalize} would return them. */
    static Map<String, List<String>> of(Message message) {
        Map<String, List<String>> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        Set<String> names = new LinkedHashSet<>();
        for (Iterator<?> it = message.getHeaderNames(); it.hasNext(); ) {
            names.add((String) it.next());
        }
        for (String name : names) {
            List<String> values = headers.computeIfAbsent(fullName(name), n -> new ArrayList<>());
            for (Iterator<?> it = message.getHeaders(name); it.hasNext(); ) {
                values.add(valueOf((Header) it.next()));
            }
        }
        return normalize(headers);
    }

    /** An unmodifiable copy keyed case-insensitively by full header name. */
    static Map<String, List<String>> normalize(Map<String, List<String>> headers) {
        if (headers == null) {
            return Collections.emptyMap();
        }
        Map<String, List<String>> copy = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        headers.forEach((name, values) -> copy.computeIfAbsent(fullName(name), n -> new ArrayList<>())
                .addAll(values == null ? List.of() : values));
        copy.replaceAll((name, values) -> List.copyOf(values));
        return Collections.unmodifiableMap(copy);
    }

    /** All values of the named header (empty if absent); {@code headers} must come from {@link #normalize}. */
    static List<String> lookup(Map<String, List<String>> headers, String name) {
        List<String> values = headers.get(fullName(name));
        return values == null ? List.of() : values;
    }

    static String fullName(String name) {
        if (name == null) {
            throw new NullPointerException("header name");
        }
        String trimmed = name.trim();
        String full = trimmed.length() == 1 ? COMPACT_FORMS.get(trimmed.toLowerCase()) : null;
        return full == null ? trimmed : full;
    }

    private static String valueOf(Header header) {
        if (header instanceof SIPHeader sipHeader) {
            return sipHeader.getHeaderValue().trim();
        }
        // Not expected from the RI; fall back on "Name: value" minus the name.
        String text = header.toString().trim();
        int colon = text.indexOf(':');
        return colon < 0 ? text : text.substring(colon + 1).trim();
    }
}
