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
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Sends the RFC 4475 torture messages and the fuzzer's regression cases to a running dialroute over
 * UDP and TCP and checks every answer against the tables that Rfc4475TortureIT checks in the test
 * container. Run by scripts/torture-check with the JDK's single-file launcher:
 * {@code java scripts/TortureReplay.java HOST PORT TABLE...}, each TABLE a README.md whose table rows
 * are {@code | NAME | ... | ... | EXPECTED UDP | EXPECTED TCP | ADJUSTMENTS | OPEN DEFECT |} for the
 * file {@code NAME.dat} next to it.
 *
 * <p>Messages are adjusted as the ADJUSTMENTS cell says ({@code `from` -> `to`}, with {@code $client}
 * this program's own address and {@code $transport} UDP or TCP) and get a unique suffix on the top
 * Via's branch, exactly as Rfc4475TortureIT does. An expected cell lists alternatives separated by
 * {@code or}: a status, {@code A+B} (two answers on one connection, in that order), {@code drop} (no
 * answer within 5 s) or {@code closed} (TCP closed by the server without an answer). Every final
 * answer's reason phrase must be plain words. A wrong answer in a row that names an open defect is
 * reported as such and not counted as a failure (as the test reports it skipped). Prints one line
 * per check and exits 1 when any check fails.
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

    /** One row of a table. */
    record Row(Path file, String expectedUdp, String expectedTcp, String adjustments, String openDefect) {
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 3) {
            System.err.println("usage: java TortureReplay.java HOST PORT TABLE...");
            System.exit(64);
        }
        InetAddress host = InetAddress.getByName(args[0]);
        int port = Integer.parseInt(args[1]);
        int failures = 0;
        int checks = 0;
        for (int t = 2; t < args.length; t++) {
            for (Row row : rows(Path.of(args[t]))) {
                byte[] raw = Files.readAllBytes(row.file());
                for (String transport : List.of("UDP", "TCP")) {
                    String expected = transport.equals("UDP") ? row.expectedUdp() : row.expectedTcp();
                    List<String> allowed = Arrays.asList(expected.split("\\s+or\\s+"));
                    int answers = allowed.stream().mapToInt(a -> a.split("\\+").length).max().orElse(1);
                    String exchange = transport.equals("UDP") ? overUdp(host, port, raw, row.adjustments())
                            : overTcp(host, port, raw, row.adjustments(), answers);
                    List<String> finals = new ArrayList<>();
                    List<String> reasons = new ArrayList<>();
                    Matcher status = STATUS_LINE.matcher(exchange);
                    while (status.find()) {
                        if (status.group(1).charAt(0) != '1') {
                            finals.add(status.group(1));
                            reasons.add(status.group(2).trim());
                        }
                    }
                    String got = !finals.isEmpty() ? String.join("+", finals)
                            : exchange.endsWith(CLOSED) ? "closed" : "drop";
                    boolean plainReasons = reasons.stream().allMatch(r -> r.isEmpty() || PLAIN_REASON.matcher(r).matches());
                    boolean ok = allowed.contains(got) && plainReasons;
                    String name = row.file().getFileName().toString().replaceAll("\\.dat$", "");
                    checks++;
                    String verdict;
                    if (ok) {
                        verdict = "ok";
                    } else if (!row.openDefect().isEmpty()) {
                        verdict = "open defect (" + row.openDefect() + "):";
                    } else {
                        verdict = "FAIL";
                        failures++;
                    }
                    System.out.printf("%s %-10s %-3s expected %-12s got %s%s%n", verdict, name, transport, expected, got,
                            reasons.isEmpty() ? "" : " \"" + String.join("\" + \"", reasons) + "\"");
                }
            }
        }
        System.out.printf("%d of %d checks passed%n", checks - failures, checks);
        System.exit(failures == 0 ? 0 : 1);
    }

    /** The table rows of a README, each naming the {@code .dat} file next to it. */
    private static List<Row> rows(Path readme) throws IOException {
        List<Row> rows = new ArrayList<>();
        for (String line : Files.readString(readme).split("\n")) {
            if (!line.startsWith("| ") || line.startsWith("| message ") || line.startsWith("| ---")) {
                continue;
            }
            String[] cells = Arrays.stream(line.substring(2, line.length() - 1).split("\\|", -1)).map(String::trim)
                    .toArray(String[]::new);
            rows.add(new Row(readme.resolveSibling(cells[0] + ".dat"), cells[3], cells[4], cells[5],
                    cells.length > 6 ? cells[6] : ""));
        }
        return rows;
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

    /** Everything received within the wait, up to and including the {@code answers}-th final answer. */
    private static String overTcp(InetAddress host, int port, byte[] raw, String adjustments, int answers) throws IOException {
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
                if (STATUS_LINE.matcher(text).results().filter(r -> r.group(1).charAt(0) != '1').count() >= answers) {
                    break;
                }
            }
            return got.toString(StandardCharsets.UTF_8) + (closed ? CLOSED : "");
        }
    }
}
