package dialroute.dialplan;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Where a call is sent or redirected to: a SIP URI without a user part, e.g.
 * {@code sip:127.0.0.1:5090} or {@code sip:pbx.example.net;transport=tcp}. The dialled (rewritten)
 * number becomes the user part when a call goes there.
 *
 * @param uri the URI as the admin wrote it
 * @param host host name, IPv4 address or bracketed IPv6 reference
 * @param port the port, or -1 when the URI names none
 */
public record Target(String uri, String host, int port) {

    // scheme ":" hostport *( ";" param ); RFC 3261 section 25.1, reduced to what a target may carry.
    private static final Pattern SIP_URI = Pattern.compile(
            "(?i)(sips?):"
                    + "(?<user>[^@;?]+@)?"
                    + "(?<host>\\[[0-9a-f:.]+\\]|[a-z0-9]([a-z0-9-]*[a-z0-9])?(\\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*)"
                    + "(:(?<port>[0-9]{1,5}))?"
                    + "(?<params>(;[a-z0-9\\-_.!~*'()%]+(=[a-z0-9\\-_.!~*'()%\\[\\]:]+)?)*)");

    private static final Pattern TRANSPORT = Pattern.compile(";transport=([^;]*)");

    /**
     * Parses a target as written in a plan.
     *
     * @throws IllegalArgumentException with a message naming the culprit
     */
    public static Target parse(String text) {
        Matcher m = SIP_URI.matcher(text.trim());
        if (!m.matches()) {
            throw new IllegalArgumentException("target '" + text + "' is not a SIP URI (expected e.g. sip:192.0.2.10:5060)");
        }
        if (m.group("user") != null) {
            throw new IllegalArgumentException("target '" + text + "' has a user part; leave it out, the dialled number goes there");
        }
        int port = -1;
        if (m.group("port") != null) {
            port = Integer.parseInt(m.group("port"));
            if (port < 1 || port > 65535) {
                throw new IllegalArgumentException("target '" + text + "' has port " + port + ", outside 1-65535");
            }
        }
        String params = m.group("params").toLowerCase(Locale.ROOT);
        Matcher transport = TRANSPORT.matcher(params);
        if (transport.find() && !transport.group(1).matches("udp|tcp|tls")) {
            throw new IllegalArgumentException("target '" + text + "' has transport '" + transport.group(1) + "'; use udp, tcp or tls");
        }
        return new Target(text.trim(), m.group("host"), port);
    }

    /** The transport the URI names, lower case, or null when it names none. */
    public String transport() {
        Matcher m = TRANSPORT.matcher(uri.toLowerCase(Locale.ROOT));
        return m.find() ? m.group(1) : null;
    }

    /**
     * The transport a request sent here goes over, lower case: the one the URI names, TLS for a
     * sips: URI, else UDP (RFC 3263 section 4.1).
     */
    public String transportUsed() {
        String named = transport();
        return named != null ? named : secure() ? "tls" : "udp";
    }

    /**
     * The Request-URI of a request sent here, with {@code user} as its user part (null: none).
     * RFC 3263 section 4.1: a sip: URI that names no transport is reached over UDP, so that is
     * written out; without it the container would reuse the transport the call came in on, and a
     * TCP caller could not reach a UDP-only server.
     */
    public String requestUri(String user) {
        int colon = uri.indexOf(':');
        String withUser = user == null ? uri : uri.substring(0, colon + 1) + user + "@" + uri.substring(colon + 1);
        return transport() == null && !secure() ? withUser + ";transport=udp" : withUser;
    }

    /** True for a sips: URI. */
    public boolean secure() {
        return uri.regionMatches(true, 0, "sips:", 0, 5);
    }

    @Override
    public String toString() {
        return uri;
    }
}
