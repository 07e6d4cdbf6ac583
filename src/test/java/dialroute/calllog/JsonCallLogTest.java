package dialroute.calllog;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dialroute.dialplan.Call;
import dialroute.dialplan.Decision;
import dialroute.dialplan.DialPlan;
import dialroute.dialplan.yaml.YamlDialPlanReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Properties;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JsonCallLogTest {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final Instant AT = Instant.parse("2026-03-01T12:00:00.123Z");
    private static DialPlan plan;

    @TempDir
    Path dir;

    @BeforeAll
    static void readPlan() throws Exception {
        plan = new YamlDialPlanReader().read(Path.of("dialplans/sample.yaml"));
    }

    @AfterEach
    void noWriterThreadLeft() {
        assertFalse(writerThreadAlive(), "every test closes its log, so no writer thread may remain");
    }

    @Test
    void proxiedRedirectedRejectedAndShedCallsGiveOneLineEachWithTheseFields() throws Exception {
        Path file = dir.resolve("calls.log");
        CallRecord proxied = record("a1@pbx", "1000", "9123");
        CallRecord redirected = record("a2@pbx", "1000", "4123");
        CallRecord rejected = record("a3@pbx", null, "2123");
        CallRecord shed = record("a4@pbx", "2000", "7123");
        try (JsonCallLog log = JsonCallLog.open(file, 1 << 20, 2)) {
            log.callCompleted(proxied, 200, Duration.ofMillis(30));
            log.callCompleted(redirected, 302, Duration.ofNanos(41_987));
            log.callCompleted(rejected, 404, Duration.ofNanos(12_000));
            log.callShed(shed, Duration.ofNanos(5_000));
        }

        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        assertEquals(4, lines.size(), String.join("\n", lines));
        assertLine(lines.get(0), """
                {"time": "2026-03-01T12:00:00.123Z", "call_id": "a1@pbx", "caller": "1000",
                 "dialled": "9123", "number": "123", "rule": {"prefix": "9", "line": %d}, "action": "proxy",
                 "destinations": ["sip:123@127.0.0.1:5090"], "final_status": 200, "setup_ms": 30.0}
                """.formatted(proxied.decision().rule().line()));
        assertLine(lines.get(1), """
                {"time": "2026-03-01T12:00:00.123Z", "call_id": "a2@pbx", "caller": "1000",
                 "dialled": "4123", "number": "4123", "rule": {"prefix": "4", "line": %d}, "action": "redirect",
                 "destinations": ["sip:4123@127.0.0.1:5091", "sip:4123@127.0.0.1:5092", "sip:4123@127.0.0.1:5093"],
                 "final_status": 302, "setup_ms": 0.042}
                """.formatted(redirected.decision().rule().line()));
        assertLine(lines.get(2), """
                {"time": "2026-03-01T12:00:00.123Z", "call_id": "a3@pbx", "caller": null,
                 "dialled": "2123", "number": "2123", "rule": null, "action": "reject",
                 "destinations": [], "final_status": 404, "setup_ms": 0.012}
                """);
        // Shed: the plan matched rule 7 (two targets), but nothing was sent anywhere.
        assertLine(lines.get(3), """
                {"time": "2026-03-01T12:00:00.123Z", "call_id": "a4@pbx", "caller": "2000",
                 "dialled": "7123", "number": "123", "rule": {"prefix": "7", "line": %d}, "action": "shed",
                 "destinations": [], "final_status": 503, "setup_ms": 0.005}
                """.formatted(shed.decision().rule().line()));
    }

    @Test
    void aCallerWithLineBreaksCannotForgeALine() throws Exception {
        Path file = dir.resolve("calls.log");
        try (JsonCallLog log = JsonCallLog.open(file, 1 << 20, 2)) {
            log.callCompleted(record("x", "1\n{\"forged\":1}", "9123"), 200, Duration.ZERO);
        }
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        assertEquals(1, lines.size());
        assertEquals("1\n{\"forged\":1}", MAPPER.readTree(lines.get(0)).get("caller").asText());
    }

    @Test
    void withoutAFileTheLogIsOffAndStartsNoThread() {
        JsonCallLog log = JsonCallLog.from(new Properties());
        assertFalse(log.isEnabled());
        assertFalse(writerThreadAlive());
        log.setEnabled(true); // nowhere to write: stays off
        assertFalse(log.isEnabled());
        log.callCompleted(record("c", "1000", "9123"), 200, Duration.ZERO);
        assertEquals(0, log.dropped());
        log.close();
    }

    @Test
    void switchedOffWritesNothingAndBackOnWritesAgain() throws Exception {
        Path file = dir.resolve("calls.log");
        try (JsonCallLog log = JsonCallLog.open(file, 1 << 20, 2)) {
            log.setEnabled(false);
            log.callCompleted(record("off", "1000", "9123"), 200, Duration.ZERO);
            log.callShed(record("off-shed", "1000", "9123"), Duration.ZERO);
            log.setEnabled(true);
            log.callCompleted(record("on", "1000", "9123"), 200, Duration.ZERO);
        }
        List<String> lines = Files.readAllLines(file);
        assertEquals(1, lines.size());
        assertEquals("on", MAPPER.readTree(lines.get(0)).get("call_id").asText());
    }

    @Test
    void aFullQueueDropsAndCountsInsteadOfBlocking() throws Exception {
        CountDownLatch writing = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        List<String> got = Collections.synchronizedList(new ArrayList<>());
        JsonCallLog.Sink stalled = new JsonCallLog.Sink() {
            @Override
            public void write(byte[] line) {
                writing.countDown();
                try {
                    release.await(); // a disk that hangs
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                got.add(new String(line, StandardCharsets.UTF_8));
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        JsonCallLog log = new JsonCallLog(stalled, 2);
        try {
            log.callCompleted(record("c0", "1000", "9123"), 200, Duration.ZERO);
            assertTrue(writing.await(5, TimeUnit.SECONDS), "the writer took the first entry");
            // The writer hangs on c0; c1 and c2 fill the queue of 2; c3..c9 must be dropped, at once.
            assertTimeoutPreemptively(Duration.ofSeconds(2), () -> {
                for (int i = 1; i < 10; i++) {
                    log.callCompleted(record("c" + i, "1000", "9123"), 200, Duration.ZERO);
                }
            });
            assertEquals(7, log.dropped());
        } finally {
            release.countDown();
            log.close();
        }
        assertEquals(3, got.size());
        assertEquals(3, log.written());
    }

    @Test
    void closeWritesEverythingQueuedAndStopsTheWriterThread() throws Exception {
        Path file = dir.resolve("calls.log");
        JsonCallLog log = JsonCallLog.open(file, 1 << 30, 2);
        assertTrue(writerThreadAlive());
        CallRecord call = record("c", "1000", "5123");
        for (int i = 0; i < 5_000; i++) {
            log.callCompleted(call, 200, Duration.ofMillis(1));
        }
        log.close();
        assertFalse(writerThreadAlive());
        assertEquals(5_000, Files.readAllLines(file).size());
        assertEquals(5_000 - log.dropped(), log.written());
        assertEquals(0, log.dropped(), "5000 entries fit the default queue");
        log.callCompleted(call, 200, Duration.ZERO); // after close: ignored, no exception
        log.setEnabled(true);
        assertFalse(log.isEnabled());
    }

    @Test
    void settingsComeFromProperties() throws Exception {
        Properties p = new Properties();
        p.setProperty(JsonCallLog.FILE, dir.resolve("sub/calls.log").toString());
        p.setProperty(JsonCallLog.MAX_BYTES, "0");
        assertThrowsIllegalArgument(p);
        p.setProperty(JsonCallLog.MAX_BYTES, "10k");
        assertThrowsIllegalArgument(p);
        p.setProperty(JsonCallLog.MAX_BYTES, "1000");
        p.setProperty(JsonCallLog.FILES, "0");
        assertThrowsIllegalArgument(p);
        p.remove(JsonCallLog.FILES);
        try (JsonCallLog log = JsonCallLog.from(p)) {
            assertTrue(log.isEnabled());
            assertTrue(log.toString().contains("1000 bytes, 5 files"), log.toString());
        }
        assertTrue(Files.exists(dir.resolve("sub/calls.log")), "the directory is created");
    }

    private static void assertThrowsIllegalArgument(Properties p) {
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> JsonCallLog.from(p).close());
    }

    private static void assertLine(String line, String expected) throws Exception {
        JsonNode got = MAPPER.readTree(line);
        assertEquals(MAPPER.readTree(expected), got, line);
        List<String> names = new ArrayList<>();
        got.fieldNames().forEachRemaining(names::add);
        assertEquals(List.of("time", "call_id", "caller", "dialled", "number", "rule", "action", "destinations",
                "final_status", "setup_ms"), names, "stable field order");
    }

    static CallRecord record(String callId, String caller, String dialled) {
        Decision decision = plan.route(new Call(dialled, caller, null, AT), new Random(1));
        return CallRecord.of(callId, new Call(dialled, caller, null, AT), decision);
    }

    static boolean writerThreadAlive() {
        return Thread.getAllStackTraces().keySet().stream()
                .anyMatch(t -> t.isAlive() && t.getName().equals(JsonCallLog.THREAD_NAME));
    }
}
