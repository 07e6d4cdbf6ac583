package dialroute.sipstack;

import gov.nist.javax.sip.ListeningPointImpl;
import gov.nist.javax.sip.stack.MessageProcessor;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

import javax.sip.ListeningPoint;
import javax.sip.SipStack;
import javax.sip.address.SipURI;

/**
 * The addresses this SIP stack listens on, as the message valves need them: to tell whether a
 * URI names dialroute itself, and which listening point a message forwarded in the stack leaves
 * from. Worked out once, on first use: the listening points exist only after the valves are
 * initialised, and the container creates them all while it starts.
 */
final class ListeningPoints {
    /**
     * An IPv4 or IPv6 literal (bracketed in a URI, bare in a Via's host): resolving it is parsing,
     * never a DNS lookup.
     */
    private static final Pattern IP_LITERAL = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}|\\[[0-9A-Fa-f:.]+\\]|[0-9A-Fa-f]*:[0-9A-Fa-f:.]*");

    private record Known(Set<InetSocketAddress> addresses, List<MessageProcessor> processors) {
    }

    private final SipStack stack;
    private volatile Known known;

    ListeningPoints(SipStack stack) {
        this.stack = stack;
    }

    /**
     * Whether the URI names one of this stack's listening points by IP address and port (5060, or
     * 5061 for sips:, when it names none). A host name is never ours here: no DNS lookup.
     */
    boolean isOwnAddress(SipURI uri) {
        return isOwnAddress(uri.getHost(), uri.getPort() != -1 ? uri.getPort() : uri.isSecure() ? 5061 : 5060);
    }

    /** Whether the host is an IP address literal (resolving it is parsing, never a DNS lookup). */
    static boolean isIpLiteral(String host) {
        return host != null && IP_LITERAL.matcher(host).matches();
    }

    /** Whether this IP address (a literal; a host name never is) and port are a listening point's. */
    boolean isOwnAddress(String host, int port) {
        if (!isIpLiteral(host)) {
            return false;
        }
        try {
            InetAddress address = InetAddress.getByName(host.startsWith("[") ? host.substring(1, host.length() - 1) : host);
            return known().addresses().contains(new InetSocketAddress(address, port));
        } catch (UnknownHostException e) {
            return false;
        }
    }

    /**
     * Where a message leaving over {@code transport} is sent from: the listening point of that
     * transport on the address and port the message arrived on, else on that address, else any;
     * null when the stack does not listen on that transport at all.
     */
    MessageProcessor sender(String transport, String arrivedAddress, int arrivedPort) {
        MessageProcessor sameAddress = null;
        MessageProcessor any = null;
        for (MessageProcessor processor : known().processors()) {
            if (!processor.getTransport().equalsIgnoreCase(transport)) {
                continue;
            }
            boolean onAddress = processor.getIpAddress().getHostAddress().equals(arrivedAddress);
            if (onAddress && processor.getPort() == arrivedPort) {
                return processor;
            }
            if (onAddress && sameAddress == null) {
                sameAddress = processor;
            }
            if (any == null) {
                any = processor;
            }
        }
        return sameAddress != null ? sameAddress : any;
    }

    private Known known() {
        Known current = known;
        if (current == null) {
            Set<InetSocketAddress> addresses = new HashSet<>();
            List<MessageProcessor> processors = new ArrayList<>();
            for (Iterator<?> points = stack.getListeningPoints(); points.hasNext(); ) {
                ListeningPoint point = (ListeningPoint) points.next();
                try {
                    addresses.add(new InetSocketAddress(InetAddress.getByName(point.getIPAddress()), point.getPort()));
                } catch (UnknownHostException e) {
                    // a listening point always has an IP address
                }
                if (point instanceof ListeningPointImpl impl && impl.getMessageProcessor() != null) {
                    processors.add(impl.getMessageProcessor());
                }
            }
            current = new Known(addresses, processors);
            if (!addresses.isEmpty()) {
                known = current;
            }
        }
        return current;
    }
}
