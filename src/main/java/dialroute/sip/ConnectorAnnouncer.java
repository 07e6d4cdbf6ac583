package dialroute.sip;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.logging.Logger;
import org.mobicents.servlet.sip.SipConnector;
import org.mobicents.servlet.sip.listener.SipConnectorListener;

/**
 * Logs each SIP connector as the container opens or closes it, so the console says exactly where
 * dialroute answers. The container starts its connectors after deploying applications, so the
 * servlet cannot see them at its own start. The container reports a connector more than once at
 * boot, so each is announced once.
 */
public final class ConnectorAnnouncer implements SipConnectorListener {
    private static final Logger LOG = Logger.getLogger("dialroute");

    private final Set<String> listening = ConcurrentHashMap.newKeySet();

    @Override
    public void sipConnectorAdded(SipConnector connector) {
        String where = describe(connector);
        if (listening.add(where)) {
            LOG.info(() -> "dialroute: SIP listening on " + where);
        }
    }

    @Override
    public void sipConnectorRemoved(SipConnector connector) {
        String where = describe(connector);
        if (listening.remove(where)) {
            LOG.info(() -> "dialroute: SIP no longer listening on " + where);
        }
    }

    @Override
    public void onKeepAliveTimeout(SipConnector connector, String peerAddress, int peerPort) {
        // dialroute sends no keep-alives of its own.
    }

    private static String describe(SipConnector connector) {
        String ip = connector.getIpAddress();
        String host = ip.contains(":") ? "[" + ip + "]" : ip; // IPv6 literals in brackets, as in SIP URIs
        return host + ":" + connector.getPort() + " " + connector.getTransport().toLowerCase();
    }
}
