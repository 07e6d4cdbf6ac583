package dialroute.sip;

import dialroute.dialplan.Hop;
import dialroute.dialplan.IpLiteral;
import dialroute.dialplan.Target;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.util.List;
import java.util.Optional;
import javax.servlet.ServletContext;
import javax.servlet.sip.SipServlet;
import javax.servlet.sip.SipURI;

/**
 * The addresses dialroute's own SIP connectors listen on. A plan target that names one of them
 * would send each call straight back into dialroute, where the same rule matches again: a loop
 * that Max-Forwards would only end after some seventy hops. Such a call is answered
 * {@code 482 Loop Detected} at once instead.
 *
 * <p>Only IP literals are compared, so this never asks DNS; a target written as a host name that
 * resolves to dialroute is still stopped by Max-Forwards ({@code 483}).
 */
final class OwnAddresses {
    private final ServletContext context;

    OwnAddresses(ServletContext context) {
        this.context = context;
    }

    /** The first hop that points at dialroute itself, if any. */
    Optional<Hop> loopingHop(List<Hop> hops) {
        // Read at each call: the container opens its connectors after the application starts.
        if (!(context.getAttribute(SipServlet.OUTBOUND_INTERFACES) instanceof List<?> interfaces) || interfaces.isEmpty()) {
            return Optional.empty();
        }
        for (Hop hop : hops) {
            if (pointsAtUs(hop.target(), interfaces)) {
                return Optional.of(hop);
            }
        }
        return Optional.empty();
    }

    private static boolean pointsAtUs(Target target, List<?> interfaces) {
        Optional<InetAddress> address = IpLiteral.parseHost(target.host());
        if (address.isEmpty()) {
            return false;
        }
        int port = target.port() > 0 ? target.port() : target.secure() ? 5061 : 5060;
        for (Object item : interfaces) {
            if (item instanceof SipURI own && own.getPort() == port) {
                Optional<InetAddress> ownAddress = IpLiteral.parseHost(own.getHost());
                if (ownAddress.isPresent() && sameHost(ownAddress.get(), address.get())) {
                    return true;
                }
            }
        }
        return false;
    }

    private static boolean sameHost(InetAddress own, InetAddress target) {
        if (!own.isAnyLocalAddress()) {
            return own.equals(target);
        }
        // A connector on 0.0.0.0 or :: answers on every local address.
        try {
            return target.isLoopbackAddress() || NetworkInterface.getByInetAddress(target) != null;
        } catch (SocketException e) {
            return false;
        }
    }
}
