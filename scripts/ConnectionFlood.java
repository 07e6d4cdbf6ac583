import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Holds many connections open against a SIP server the way a careless or hostile client would, and
 * reports when the server closes them. Run by scripts/connection-limits-check with the JDK's
 * single-file launcher: {@code java scripts/ConnectionFlood.java HOST TCP_PORT TLS_PORT IDLE PARTIAL
 * TLS_IDLE WAIT_SECONDS READY_FILE}.
 *
 * <p>Three groups: {@code idle-tcp} connects to the TCP port and sends nothing; {@code partial-tcp}
 * sends the start of an INVITE (request line and a few headers, never the blank line that ends the
 * header) and then stalls, slow-loris style; {@code idle-tls} connects to the TLS port and never
 * starts its handshake. Once all are open it writes "opened" to READY_FILE (so the caller can place
 * calls while they are held), then waits up to WAIT_SECONDS for the server to close each one and
 * prints, per group, how many it opened, how many the server closed and when. Exit status 0 when
 * the server closed every connection in time, 2 when some were still open, 1 when they could not
 * be opened. Close times are measured from each connection's own opening, also for connections
 * the server closes while later ones are still being opened.
 */
public final class ConnectionFlood {

    private static final int CONNECT_TIMEOUT_MILLIS = 3000;

    public static void main(String[] args) throws Exception {
        if (args.length != 8) {
            System.err.println("usage: java ConnectionFlood.java HOST TCP_PORT TLS_PORT IDLE PARTIAL TLS_IDLE WAIT_SECONDS READY_FILE");
            System.exit(64);
        }
        String host = args[0];
        int tcpPort = Integer.parseInt(args[1]);
        int tlsPort = Integer.parseInt(args[2]);
        Map<String, Group> groups = new LinkedHashMap<>();
        groups.put("idle-tcp", new Group("idle-tcp", new InetSocketAddress(host, tcpPort), Integer.parseInt(args[3]), null));
        groups.put("partial-tcp", new Group("partial-tcp", new InetSocketAddress(host, tcpPort), Integer.parseInt(args[4]),
                ("INVITE sip:9123@" + host + ":" + tcpPort + " SIP/2.0\r\n"
                        + "Via: SIP/2.0/TCP " + host + ":5999;branch=z9hG4bK-stall\r\n"
                        + "Max-Forwards: 70\r\n"
                        + "From: <sip:stall@" + host + ">;tag=1\r\n").getBytes(StandardCharsets.US_ASCII)));
        groups.put("idle-tls", new Group("idle-tls", new InetSocketAddress(host, tlsPort), Integer.parseInt(args[5]), null));
        long waitMillis = Long.parseLong(args[6]) * 1000;
        Path ready = Path.of(args[7]);

        Selector selector = Selector.open();
        long openStarted = System.nanoTime();
        for (Group group : groups.values()) {
            for (int i = 0; i < group.wanted; i++) {
                try {
                    group.openOne(selector);
                } catch (IOException e) {
                    System.out.printf("flood: %s: could not open connection %d of %d: %s%n",
                            group.name, i + 1, group.wanted, e);
                    System.exit(1);
                }
                // Closes that happen while the rest are still being opened are timed too.
                selector.selectNow();
                collectCloses(selector);
            }
        }
        long opened = System.nanoTime();
        int stillOpen = 0;
        for (Group group : groups.values()) {
            System.out.printf("flood: %s: opened %d connections to %s (%d already closed by the server)%n",
                    group.name, group.channels.size(), group.address, group.closed);
            stillOpen += group.channels.size() - group.closed;
        }
        System.out.printf("flood: all opened after %.1f s, %d of them open now%n", (opened - openStarted) / 1e9, stillOpen);
        Files.writeString(ready, "opened\n");

        long deadline = opened + waitMillis * 1_000_000;
        while (openCount(groups) > 0 && System.nanoTime() < deadline) {
            selector.select(Math.max(1, (deadline - System.nanoTime()) / 1_000_000));
            collectCloses(selector);
        }

        boolean allClosed = true;
        System.out.printf("flood: waited %.1f s after the last opening%n", (System.nanoTime() - opened) / 1e9);
        for (Group group : groups.values()) {
            System.out.println("flood: " + group.summary());
            allClosed &= group.closed == group.channels.size();
        }
        System.exit(allClosed ? 0 : 2);
    }

    private static final ByteBuffer BUFFER = ByteBuffer.allocate(4096);

    /** Reads what is ready; a connection that reached its end or was reset was closed by the server. */
    private static void collectCloses(Selector selector) throws IOException {
        for (SelectionKey key : selector.selectedKeys()) {
            SocketChannel channel = (SocketChannel) key.channel();
            boolean closed;
            try {
                BUFFER.clear();
                closed = channel.read(BUFFER) < 0;
            } catch (IOException reset) {
                closed = true;
            }
            if (closed) {
                Group group = (Group) key.attachment();
                long openedAt = (Long) group.openedAt.get(channel);
                key.cancel();
                channel.close();
                group.closedAfter((System.nanoTime() - openedAt) / 1e9);
            }
        }
        selector.selectedKeys().clear();
    }

    private static int openCount(Map<String, Group> groups) {
        return groups.values().stream().mapToInt(g -> g.channels.size() - g.closed).sum();
    }

    private static final class Group {
        final String name;
        final InetSocketAddress address;
        final int wanted;
        final byte[] firstBytes;
        final List<SocketChannel> channels = new ArrayList<>();
        final Map<SocketChannel, Long> openedAt = new HashMap<>();
        int closed;
        double shortest = Double.MAX_VALUE;
        double longest = -1;

        Group(String name, InetSocketAddress address, int wanted, byte[] firstBytes) {
            this.name = name;
            this.address = address;
            this.wanted = wanted;
            this.firstBytes = firstBytes;
        }

        void openOne(Selector selector) throws IOException {
            SocketChannel channel = SocketChannel.open();
            channel.socket().connect(address, CONNECT_TIMEOUT_MILLIS);
            openedAt.put(channel, System.nanoTime());
            channels.add(channel);
            if (firstBytes != null) {
                channel.write(ByteBuffer.wrap(firstBytes));
            }
            channel.configureBlocking(false);
            channel.register(selector, SelectionKey.OP_READ, this);
        }

        void closedAfter(double seconds) {
            closed++;
            shortest = Math.min(shortest, seconds);
            longest = Math.max(longest, seconds);
        }

        /** The summary line; the close times are seconds from each connection's own opening. */
        String summary() {
            String when = closed == 0 ? "" : String.format(" %.1f-%.1f s after opening", shortest, longest);
            return String.format("%s: opened %d, closed by the server %d%s, still open %d",
                    name, channels.size(), closed, when, channels.size() - closed);
        }
    }
}
