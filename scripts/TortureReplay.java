import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Sends RFC 4475 torture messages to a running dialroute over UDP and TCP and checks each final
 * answer against an expectations file. Run by scripts/torture-check with the JDK's single-file
 * launcher: {@code java scripts/TortureReplay.java HOST PORT RFC4475_DIR EXPECTATIONS}.
 *
 * <p>The messages are RFC4475_DIR's {@code NAME.dat} files, adjusted as the table in
 * RFC4475_DIR/README.md says (its "adjustments" column: {@code `from` -> `to`}, with {@code $client}
 * this program's own address and {@code $transport} UDP or TCP) and with a unique suffix on the top
 * Via's branch, exactly as Rfc4475TortureIT does. EXPECTATIONS holds lines
 * {@code NAME TRANSPORT STATUS [or STATUS...] [; open: WHY]} ({@code #} starts a comment; NAME is a
 * path relative to RFC4475_DIR without {@code .dat}, and the README.md next to the file has its
 * row). A status may also be {@code drop} (no answer within 5 s) or {@code closed} (TCP closed by
 * the server without an answer). Besides the status, the final answer's reason phrase must be plain
 * words, unless {@code ; open:} names the known defect that it is not. Prints one line per check
 * and exits 1 when any check fails.
 */
public final class TortureReplay {

    private static final Pattern ADJUSTMENT = Pattern.compile("`([^`]+)` -> `([^`]+)`");
    private static final Pattern BRANCH = Pattern.compile("(?i)branch\\s*=\\s*([^\\s;,]+)");
    private static final Pattern STATUS_LINE = Pattern.compile("^SIP/2\\.0 (\\d{3}) ?(.*)$", Pattern.MULTILINE);
    /** A reason phrase as RFC 3261 21 words them: words, no diagnostics or object names. */
    private static final Pattern PLAIN_REASON = Pattern.compile("[A-Za-z][A-Za-z '-]*");
    private static final int WAIT_MILLIS = 5000;
    /** Appended to what a TCP exchange received when the server closed the connection. */
    private static final String CLOSED = "\n(closed)";
    private static int sends;

    public static void main(String[] args) throws Exception {
        if (args.length != 4) {
            System.err.println("usage: java TortureReplay.java HOST PORT RFC4475_DIR EXPECTATIONS");
            System.exit(64);
        }
        InetAddress host = InetAddress.getByName(args[0]);
        int port = Integer.parseInt(args[1]);
        Path dir = Path.of(args[2]);
        int failures = 0;
        int checks = 0;
        for (String line : Files.readAllLines(Path.of(args[3]))) {
            String spec = line.replaceAll("#.*", "").trim();
            if (spec.isEmpty()) {
                continue;
            }
            // "; open: why" after the statuses: the reason phrase is known not to be plain yet.
            String openReason = "";
            if (spec.contains(";")) {
                openReason = spec.substring(spec.indexOf(';') + 1).replaceFirst("^\\s*open:\\s*", "").trim();
                spec = spec.substring(0, spec.indexOf(';')).trim();
            }
            String[] words = spec.split("\\s+", 3);
            String name = words[0];
            String transport = words[1];
            List<String> allowed = Arrays.asList(words[2].split("\\s+or\\s+"));
            Path file = dir.resolve(name + ".dat");
            Map<String, String> adjustments = adjustments(Files.readString(file.resolveSibling("README.md")));
            String message = file.getFileName().toString().replaceAll("\\.dat$", "");
            if (!adjustments.containsKey(message)) {
                throw new IllegalArgumentException(message + " is not in the table of " + file.resolveSibling("README.md"));
            }
            byte[] raw = Files.readAllBytes(file);
            String answer = transport.equals("UDP") ? overUdp(host, port, raw, adjustments.get(message))
                    : overTcp(host, port, raw, adjustments.get(message));
            String got = "drop";
            String reason = "";
            Matcher status = STATUS_LINE.matcher(answer);
            while (status.find()) {
                if (status.group(1).charAt(0) != '1') {
                    got = status.group(1);
                    reason = status.group(2).trim();
                    break;
                }
            }
            if (got.equals("drop") && answer.endsWith(CLOSED)) {
                got = "closed";
            }
            boolean plainReason = reason.isEmpty() || PLAIN_REASON.matcher(reason).matches();
            boolean ok = allowed.contains(got) && (plainReason || !openReason.isEmpty());
            checks++;
            if (!ok) {
                failures++;
            }
            String verdict = !ok ? "FAIL" : plainReason ? "ok" : "ok (reason phrase not plain, open defect: " + openReason + ")";
            System.out.printf("%s %-10s %-3s expected %-12s got %s%s%n", verdict, name, transport,
                    String.join(" or ", allowed), got, reason.isEmpty() ? "" : " \"" + reason + "\"");
        }
        System.out.printf("%d of %d checks passed%n", checks - failures, checks);
        System.exit(failures == 0 ? 0 : 1);
    }

    /** Message name -> its adjustments cell, from the table rows of the README. */
    private static Map<String, String> adjustments(String readme) {
        Map<String, String> byName = new LinkedHashMap<>();
        for (String line : readme.split("\n")) {
            if (!line.startsWith("| ") || line.startsWith("| message ") || line.startsWith("| ---")) {
                continue;
            }
            String[] cells = line.substring(2, line.length() - 1).split("\\|", -1);
            if (cells.length > 5) {
                byName.putIfAbsent(cells[0].trim(), cells[5].trim());
            }
        }
        return byName;
    }

    private static byte[] adjust(byte[] raw, String adjustments, String transport, int localPort) {
        // ISO-8859-1 maps every byte to one char and back, so NULs and UTF-8 survive unchanged.
        String text = new String(raw, StandardCharsets.ISO_8859_1);
        Matcher m = ADJUSTMENT.matcher(adjustments);
        while (m.find()) {
            String to = m.group(2).replace("$client", "127.0.0.1:" + localPort).replace("$transport", transport);
            int at = text.indexOf(m.group(1));
            if (at < 0) {
                throw new IllegalStateException("adjustment '" + m.group(1) + "' matches nothing in the message");
            }
            text = text.substring(0, at) + to + text.substring(at + m.group(1).length());
        }
        Matcher branch = BRANCH.matcher(text);
        if (branch.find() && !branch.group(1).equals("z9hG4bK")) {
            text = text.substring(0, branch.end(1)) + ".r" + (++sends) + "-" + ProcessHandle.current().pid()
                    + text.substring(branch.end(1));
        }
        return text.getBytes(StandardCharsets.ISO_8859_1);
    }

    /** Everything received within the wait, up to and including the first final answer. */
    private static String overUdp(InetAddress host, int port, byte[] raw, String adjustments) throws IOException {
        try (DatagramSocket socket = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
            byte[] message = adjust(raw, adjustments, "UDP", socket.getLocalPort());
            socket.send(new DatagramPacket(message, message.length, host, port));
            StringBuilder got = new StringBuilder();
            long deadline = System.currentTimeMillis() + WAIT_MILLIS;
            byte[] buffer = new byte[65536];
            while (System.currentTimeMillis() < deadline) {
                socket.setSoTimeout((int) Math.max(1, deadline - System.currentTimeMillis()));
                DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
                try {
                    socket.receive(packet);
                } catch (SocketTimeoutException e) {
                    break;
                }
                String datagram = new String(packet.getData(), 0, packet.getLength(), StandardCharsets.UTF_8);
                got.append(datagram);
                if (!datagram.startsWith("SIP/2.0 1")) {
                    break;
                }
            }
            return got.toString();
        }
    }

    private static String overTcp(InetAddress host, int port, byte[] raw, String adjustments) throws IOException {
        try (Socket socket = new Socket()) {
            socket.bind(new InetSocketAddress("127.0.0.1", 0));
            socket.connect(new InetSocketAddress(host, port), WAIT_MILLIS);
            socket.getOutputStream().write(adjust(raw, adjustments, "TCP", socket.getLocalPort()));
            socket.getOutputStream().flush();
            ByteArrayOutputStream got = new ByteArrayOutputStream();
            boolean closed = false;
            long deadline = System.currentTimeMillis() + WAIT_MILLIS;
            InputStream in = socket.getInputStream();
            byte[] buffer = new byte[8192];
            while (System.currentTimeMillis() < deadline) {
                socket.setSoTimeout((int) Math.max(1, deadline - System.currentTimeMillis()));
                int n;
                try {
                    n = in.read(buffer);
                } catch (SocketTimeoutException e) {
                    break;
                }
                if (n < 0) {
                    closed = true;
                    break;
                }
                got.write(buffer, 0, n);
                String text = got.toString(StandardCharsets.UTF_8);
                if (STATUS_LINE.matcher(text).results().anyMatch(r -> r.group(1).charAt(0) != '1')) {
                    break;
                }
            }
            return got.toString(StandardCharsets.UTF_8) + (closed ? CLOSED : "");
        }
    }
}
