package dialroute.dialplan;

/**
 * One concrete place a call goes in a decision: the destination and the number as sent there.
 * For redirects also the Contact's q-value and expires.
 *
 * @param q       q-value of a redirect Contact, or null
 * @param expires expires of a redirect Contact in seconds, or null
 */
public record Hop(Destination destination, String number, Double q, Integer expires) {

    public Target target() {
        return destination.target();
    }

    /** The target's URI with the number as its user part: a redirect's Contact. */
    public String uri() {
        String uri = destination.target().uri();
        int colon = uri.indexOf(':');
        return uri.substring(0, colon + 1) + number + "@" + uri.substring(colon + 1);
    }

    /** The Request-URI of a proxied INVITE: see {@link Target#requestUri}. */
    public String proxyUri() {
        return destination.target().requestUri(number);
    }

    @Override
    public String toString() {
        String s = uri();
        if (!destination.name().equals(destination.target().uri())) {
            s += " (" + destination.name() + ")";
        }
        if (q != null) {
            s += " q=" + q;
        }
        if (expires != null) {
            s += " expires=" + expires;
        }
        return s;
    }
}
