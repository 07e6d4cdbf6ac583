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

    @Override
    public String toString() {
        String uri = destination.target().uri();
        int colon = uri.indexOf(':');
        String s = uri.substring(0, colon + 1) + number + "@" + uri.substring(colon + 1);
        if (!destination.name().equals(uri)) {
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
