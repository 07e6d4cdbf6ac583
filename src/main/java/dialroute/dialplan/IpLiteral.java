package dialroute.dialplan;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An IPv4 or IPv6 address written as a literal. Host names are refused before any lookup, so
 * parsing never asks DNS: a dotted quad is converted here, and a string with a colon is, to
 * {@link InetAddress#getByName}, always a literal that it parses itself.
 */
public final class IpLiteral {
    private static final Pattern IPV4 = Pattern.compile("(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})");
    private static final Pattern IPV6 = Pattern.compile("(?=[^:]*:)[0-9A-Fa-f:][0-9A-Fa-f:.]*");

    private IpLiteral() {
    }

    /**
     * The address a host as written in a SIP URI or on a command line names: an IPv4 literal, or
     * an IPv6 literal with or without the brackets of a URI (brackets around anything else are
     * refused). Empty when it is not an IP literal.
     */
    public static Optional<InetAddress> parseHost(String text) {
        if (text != null && text.startsWith("[") && text.endsWith("]")) {
            String inside = text.substring(1, text.length() - 1);
            return inside.contains(":") ? parse(inside) : Optional.empty();
        }
        return parse(text);
    }

    /** The address {@code text} spells (no brackets), or empty when it is not an IP literal. */
    public static Optional<InetAddress> parse(String text) {
        if (text == null) {
            return Optional.empty();
        }
        try {
            Matcher v4 = IPV4.matcher(text);
            if (v4.matches()) {
                byte[] bytes = new byte[4];
                for (int i = 0; i < 4; i++) {
                    int octet = Integer.parseInt(v4.group(i + 1));
                    if (octet > 255) {
                        return Optional.empty();
                    }
                    bytes[i] = (byte) octet;
                }
                return Optional.of(InetAddress.getByAddress(bytes));
            }
            if (IPV6.matcher(text).matches()) {
                return Optional.of(InetAddress.getByName(text));
            }
        } catch (UnknownHostException e) {
            // not a valid literal
        }
        return Optional.empty();
    }
}
