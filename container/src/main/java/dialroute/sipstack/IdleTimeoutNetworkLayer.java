package dialroute.sipstack;

import gov.nist.core.net.DefaultNetworkLayer;
import gov.nist.core.net.NetworkLayer;
import gov.nist.javax.sip.SipStackImpl;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketAddress;
import java.net.SocketException;

import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;

/**
 * JAIN-SIP's default network layer, except that a TCP or TLS connection a client opened to us is
 * closed once it has sent nothing for {@code dialroute.CONNECTION_IDLE_TIMEOUT} milliseconds (a
 * property of conf/mss-sip-stack.properties; 0 or absent: never). Installed with
 * {@code gov.nist.javax.sip.NETWORK_LAYER=dialroute.sipstack.IdleTimeoutNetworkLayer}.
 *
 * <p>Why: the stack's blocking TCP and TLS processors, the only ones that work for proxying with
 * this stack version (its NIO processor never delivers an INVITE to a TCP destination), keep two
 * threads per connection and never close an idle one, so a few thousand silent connections would
 * hold threads and file descriptors for ever. The timeout is the socket's read timeout: a read
 * that waits longer fails, and the stack's connection thread then closes the connection exactly as
 * when the peer hangs up. A peer that has something to say simply connects again (RFC 3261 18).
 * Connections the stack opens itself (to destinations) and UDP are left as they are; TLS server
 * sockets come from the JVM's default TLS context ({@code javax.net.ssl.keyStore}) as before.
 */
public final class IdleTimeoutNetworkLayer implements NetworkLayer {

    /** Stack property: idle time in milliseconds after which an accepted connection is closed. */
    public static final String IDLE_TIMEOUT_PROPERTY = "dialroute.CONNECTION_IDLE_TIMEOUT";

    private final NetworkLayer delegate = DefaultNetworkLayer.SINGLETON;
    private volatile int idleTimeoutMillis;

    @Override
    public void setSipStack(SipStackImpl stack) {
        delegate.setSipStack(stack);
        String value = stack.getConfigurationProperties().getProperty(IDLE_TIMEOUT_PROPERTY, "0").trim();
        try {
            idleTimeoutMillis = Integer.parseInt(value);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(IDLE_TIMEOUT_PROPERTY + " must be a number of milliseconds, not '" + value + "'", e);
        }
        if (idleTimeoutMillis < 0) {
            throw new IllegalArgumentException(IDLE_TIMEOUT_PROPERTY + " must not be negative: " + idleTimeoutMillis);
        }
    }

    @Override
    public ServerSocket createServerSocket(int port, int backlog, InetAddress bindAddress) throws IOException {
        ServerSocket socket = new ServerSocket() {
            @Override
            public Socket accept() throws IOException {
                return withIdleTimeout(super.accept());
            }
        };
        socket.bind(new InetSocketAddress(bindAddress, port), backlog);
        return socket;
    }

    @Override
    public SSLServerSocket createSSLServerSocket(int port, int backlog, InetAddress bindAddress) throws IOException {
        return new IdleTimeoutSslServerSocket(delegate.createSSLServerSocket(port, backlog, bindAddress));
    }

    private Socket withIdleTimeout(Socket accepted) throws SocketException {
        accepted.setSoTimeout(idleTimeoutMillis);
        return accepted;
    }

    @Override
    public Socket createSocket(InetAddress address, int port) throws IOException {
        return delegate.createSocket(address, port);
    }

    @Override
    public Socket createSocket(InetAddress address, int port, InetAddress localAddress) throws IOException {
        return delegate.createSocket(address, port, localAddress);
    }

    @Override
    public Socket createSocket(InetAddress address, int port, InetAddress localAddress, int localPort) throws IOException {
        return delegate.createSocket(address, port, localAddress, localPort);
    }

    @Override
    public SSLSocket createSSLSocket(InetAddress address, int port) throws IOException {
        return delegate.createSSLSocket(address, port);
    }

    @Override
    public SSLSocket createSSLSocket(InetAddress address, int port, InetAddress localAddress) throws IOException {
        return delegate.createSSLSocket(address, port, localAddress);
    }

    @Override
    public DatagramSocket createDatagramSocket() throws SocketException {
        return delegate.createDatagramSocket();
    }

    @Override
    public DatagramSocket createDatagramSocket(int port, InetAddress localAddress) throws SocketException {
        return delegate.createDatagramSocket(port, localAddress);
    }

    /**
     * The JDK's TLS server socket with the idle timeout set on what it accepts. SSLServerSocket has
     * no hook for that, so this one forwards every call to the real socket.
     */
    private final class IdleTimeoutSslServerSocket extends SSLServerSocket {
        private final SSLServerSocket socket;

        IdleTimeoutSslServerSocket(SSLServerSocket socket) throws IOException {
            this.socket = socket;
        }

        @Override
        public Socket accept() throws IOException {
            return withIdleTimeout(socket.accept());
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }

        @Override
        public boolean isClosed() {
            return socket.isClosed();
        }

        @Override
        public boolean isBound() {
            return socket.isBound();
        }

        @Override
        public InetAddress getInetAddress() {
            return socket.getInetAddress();
        }

        @Override
        public int getLocalPort() {
            return socket.getLocalPort();
        }

        @Override
        public SocketAddress getLocalSocketAddress() {
            return socket.getLocalSocketAddress();
        }

        @Override
        public void setSoTimeout(int timeout) throws SocketException {
            socket.setSoTimeout(timeout);
        }

        @Override
        public int getSoTimeout() throws IOException {
            return socket.getSoTimeout();
        }

        @Override
        public String[] getEnabledCipherSuites() {
            return socket.getEnabledCipherSuites();
        }

        @Override
        public void setEnabledCipherSuites(String[] suites) {
            socket.setEnabledCipherSuites(suites);
        }

        @Override
        public String[] getSupportedCipherSuites() {
            return socket.getSupportedCipherSuites();
        }

        @Override
        public String[] getSupportedProtocols() {
            return socket.getSupportedProtocols();
        }

        @Override
        public String[] getEnabledProtocols() {
            return socket.getEnabledProtocols();
        }

        @Override
        public void setEnabledProtocols(String[] protocols) {
            socket.setEnabledProtocols(protocols);
        }

        @Override
        public void setNeedClientAuth(boolean need) {
            socket.setNeedClientAuth(need);
        }

        @Override
        public boolean getNeedClientAuth() {
            return socket.getNeedClientAuth();
        }

        @Override
        public void setWantClientAuth(boolean want) {
            socket.setWantClientAuth(want);
        }

        @Override
        public boolean getWantClientAuth() {
            return socket.getWantClientAuth();
        }

        @Override
        public void setUseClientMode(boolean mode) {
            socket.setUseClientMode(mode);
        }

        @Override
        public boolean getUseClientMode() {
            return socket.getUseClientMode();
        }

        @Override
        public void setEnableSessionCreation(boolean flag) {
            socket.setEnableSessionCreation(flag);
        }

        @Override
        public boolean getEnableSessionCreation() {
            return socket.getEnableSessionCreation();
        }

        @Override
        public SSLParameters getSSLParameters() {
            return socket.getSSLParameters();
        }

        @Override
        public void setSSLParameters(SSLParameters parameters) {
            socket.setSSLParameters(parameters);
        }

        @Override
        public String toString() {
            return socket.toString();
        }
    }
}
