package dialroute.it;

import static dialroute.it.DialrouteDeployment.DIALROUTE_PORT;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The RFC 4475 torture messages (src/test/resources/rfc4475: the RFC's own bytes and the table of
 * expected outcomes) and the mutation fuzzer's regression cases (src/test/resources/malformed, a
 * table of the same shape), each sent as raw bytes over UDP and over TCP. Each must get an expected
 * answer with a plain reason phrase, never a 500, never Java exception text, never a transaction left at a provisional
 * response; and after each one the server still proxies and redirects calls. The outcome of every
 * message is written to target/torture/table.md.
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class Rfc4475TortureIT {
    private static final Path TABLE = Path.of("target/torture/table.md");
    /** How long an answer is waited for when the table allows none. */
    private static final Duration QUIET = Duration.ofSeconds(2);
    private static final Duration WAIT = Duration.ofSeconds(5);
    private static final Pattern BRANCH = Pattern.compile("(?i)branch\\s*=\\s*([^\\s;,]+)");
    private static final AtomicInteger SENDS = new AtomicInteger();
    private static final Pattern ADJUSTMENT = Pattern.compile("`([^`]+)` -> `([^`]+)`");
    /** A reason phrase as RFC 3261 21 words them (or none): no diagnostics or object names. */
    private static final Pattern PLAIN_REASON = Pattern.compile("([A-Za-z][A-Za-z '-]*)?");

    /** Row key "message/transport" -> the row written to the table. */
    private static final Map<String, String> RESULTS = new ConcurrentSkipListMap<>();
    private static RoutingProbe probe;

    @Deployment(testable = false)
    static WebArchive archive() {
        return DialrouteDeployment.sar();
    }

    @BeforeAll
    static void startPhones() {
        probe = RoutingProbe.start(5175);
    }

    @AfterAll
    static void writeTableAndStopPhones() throws IOException {
        probe.close();
        List<String> lines = new ArrayList<>();
        lines.add("# RFC 4475 torture messages and the fuzzer's regression cases against dialroute");
        lines.add("");
        lines.add("Written by Rfc4475TortureIT. `got`: the final status, `drop` (no answer), `closed` (TCP closed by the");
        lines.add("server); `ok` also requires a plain reason phrase, no 500, no Java exception text and no provisional");
        lines.add("answer left without a final one, and a proxied and a redirected call routed right after the message.");
        lines.add("");
        lines.add("| message | RFC § | transport | expected | got | ok |");
        lines.add("| --- | --- | --- | --- | --- | --- |");
        lines.addAll(RESULTS.values());
        Files.createDirectories(TABLE.getParent());
        Files.write(TABLE, lines, StandardCharsets.UTF_8);
    }

    /** One row of the resource table. */
    record Message(String table, String name, String section, String expectedUdp, String expectedTcp, String adjustments,
            String openDefect) {
        @Override
        public String toString() {
            return name;
        }

        String expected(String transport) {
            return transport.equals("UDP") ? expectedUdp : expectedTcp;
        }

        byte[] bytes(String transport, int localPort) throws IOException {
            byte[] raw;
            try (InputStream in = Rfc4475TortureIT.class.getResourceAsStream("/" + table + "/" + name + ".dat")) {
                if (in == null) {
                    throw new IllegalStateException(table + "/" + name + ".dat is missing");
                }
                raw = in.readAllBytes();
            }
            // ISO-8859-1 maps every byte to one char and back, so NULs and UTF-8 survive unchanged.
            String text = new String(raw, StandardCharsets.ISO_8859_1);
            Matcher m = ADJUSTMENT.matcher(adjustments);
            while (m.find()) {
                String from = m.group(1);
                String to = m.group(2).replace("$client", "127.0.0.1:" + localPort).replace("$transport", transport);
                int at = text.indexOf(from);
                if (at < 0) {
                    throw new IllegalStateException(name + ": adjustment '" + from + "' matches nothing in the message");
                }
                text = text.substring(0, at) + to + text.substring(at + from.length());
            }
            // Many messages share a branch (z9hG4bKkdjuw), and the stack keys server transactions by
            // branch: sent within 32 s of each other, they would be retransmissions of one request.
            // The bare magic cookie of badbranch is what that message tests, so it stays.
            Matcher branch = BRANCH.matcher(text);
            if (branch.find() && !branch.group(1).equals("z9hG4bK")) {
                text = text.substring(0, branch.end(1)) + "." + SENDS.incrementAndGet() + text.substring(branch.end(1));
            }
            return text.getBytes(StandardCharsets.ISO_8859_1);
        }
    }

    /** The rows of both tables: the RFC's messages, then the fuzzer's. */
    static List<Message> table() throws IOException {
        List<Message> messages = new ArrayList<>();
        for (String table : List.of("rfc4475", "malformed")) {
            String readme;
            try (InputStream in = Rfc4475TortureIT.class.getResourceAsStream("/" + table + "/README.md")) {
                readme = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
            for (String line : readme.split("\n")) {
                if (!line.startsWith("| ") || line.startsWith("| message ") || line.startsWith("| ---")) {
                    continue;
                }
                String[] cells = Arrays.stream(line.substring(2, line.length() - 1).split("\\|", -1)).map(String::trim)
                        .toArray(String[]::new);
                messages.add(new Message(table, cells[0], cells[1], cells[3], cells[4], cells[5],
                        cells.length > 6 ? cells[6] : ""));
            }
        }
        return messages;
    }

    /** All messages, or only those named in -Ddialroute.torture.only=wsinv,bcast (to look at a few). */
    static Stream<Arguments> messages() throws IOException {
        List<String> only = List.of(System.getProperty("dialroute.torture.only", "").split(","));
        return table().stream().filter(m -> only.equals(List.of("")) || only.contains(m.name())).flatMap(m -> Stream.of(Arguments.of(m, "UDP"), Arguments.of(m, "TCP")));
    }

    @ParameterizedTest(name = "{0} over {1}")
    @MethodSource("messages")
    void tortureMessageGetsTheExpectedAnswerAndCallsStillRoute(Message message, String transport) throws Exception {
        String expected = message.expected(transport);
        List<String> allowed = List.of(expected.split(" or "));
        boolean mayBeSilent = allowed.contains("drop") || allowed.contains("closed");
        Duration wait = mayBeSilent ? QUIET : WAIT;
        int finals = expected.contains("+") ? expected.split("\\+").length : 1;

        RawSip.Exchange exchange;
        if (transport.equals("UDP")) {
            try (RawSip.Udp udp = RawSip.Udp.open(DIALROUTE_PORT)) {
                udp.send(message.bytes(transport, udp.localPort()));
                exchange = udp.awaitFinal(wait);
            }
        } else {
            try (RawSip.Tcp tcp = RawSip.Tcp.connect(DIALROUTE_PORT)) {
                tcp.send(message.bytes(transport, tcp.localPort()));
                exchange = tcp.awaitFinals(finals, wait);
            }
        }
        String got = outcome(exchange);
        boolean answeredAsExpected = allowed.contains(got);
        boolean no500 = exchange.responses().stream().noneMatch(r -> RawSip.status(r) == 500);
        boolean noLeak = exchange.responses().stream().noneMatch(RawSip::leaksJavaInternals);
        boolean plainReasons = exchange.responses().stream().allMatch(r -> PLAIN_REASON.matcher(reasonPhrase(r)).matches());
        boolean notHanging = !exchange.provisionalOnly();
        String stillRoutes = "yes";
        try {
            probe.callsStillRoute(transport.toLowerCase());
        } catch (AssertionError | RuntimeException e) {
            stillRoutes = "NO: " + e.getMessage().lines().findFirst().orElse("");
        }
        boolean ok = answeredAsExpected && no500 && noLeak && plainReasons && notHanging && stillRoutes.equals("yes");
        boolean knownDefect = !ok && !message.openDefect().isEmpty();
        RESULTS.put(String.format("%-12s %s", message.name(), transport), String.format("| %s | %s | %s | %s | %s | %s |",
                message.name(), message.section(), transport, expected, got,
                ok ? "yes" : knownDefect ? "NO (open defect: " + message.openDefect() + ")" : "NO"));
        // A wrong answer the table names as an open defect is reported as skipped, never as passed;
        // the server must still keep routing calls after it.
        assertTrue(stillRoutes.equals("yes"), "after " + message.name() + " calls no longer route: " + stillRoutes);
        Assumptions.assumeFalse(knownDefect, () -> "open defect: " + message.openDefect() + "; got " + got);

        assertTrue(answeredAsExpected, message.name() + " over " + transport + ": expected " + expected + ", got " + exchange);
        assertTrue(no500, "a 500 went out: " + exchange);
        assertFalse(!noLeak, "Java internals on the wire: " + exchange);
        assertTrue(plainReasons, "a reason phrase that is not plain words (a parser diagnostic?): " + exchange);
        assertTrue(notHanging, "a provisional answer and no final one: " + exchange);
        assertTrue(stillRoutes.equals("yes"), "after " + message.name() + " calls no longer route: " + stillRoutes);
    }

    /** The reason phrase of a response's status line. */
    private static String reasonPhrase(String response) {
        String statusLine = response.lines().findFirst().orElse("");
        String[] parts = statusLine.split(" ", 3);
        return parts.length < 3 ? "" : parts[2].trim();
    }

    /** "404", "405+404" (two answers in a stream), "drop" or "closed". */
    private static String outcome(RawSip.Exchange exchange) {
        List<String> finals = exchange.responses().stream().map(RawSip::status).filter(s -> s >= 200)
                .map(String::valueOf).toList();
        if (!finals.isEmpty()) {
            return String.join("+", finals);
        }
        if (exchange.provisionalOnly()) {
            return "hanging at " + exchange.statuses();
        }
        return exchange.closed() ? "closed" : "drop";
    }
}
