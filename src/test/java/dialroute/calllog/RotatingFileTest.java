package dialroute.calllog;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dialroute.dialplan.Call;
import dialroute.dialplan.yaml.YamlDialPlanReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RotatingFileTest {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    @TempDir
    Path dir;

    @Test
    void rotatesAtTheSizeLimitAndKeepsTheConfiguredNumberOfFiles() throws Exception {
        var plan = new YamlDialPlanReader().read(Path.of("dialplans/sample.yaml"));
        Call call = new Call("9123", "1000", null, Instant.parse("2026-03-01T12:00:00Z"));
        var decision = plan.route(call, new Random(1));
        long maxBytes = 1000;
        Properties p = new Properties();
        p.setProperty(JsonCallLog.FILE, dir.resolve("calls.log").toString());
        p.setProperty(JsonCallLog.MAX_BYTES, Long.toString(maxBytes));
        p.setProperty(JsonCallLog.FILES, "3");
        int calls = 40; // about 230 bytes a line: 4 lines a file, so far more than 3 files' worth
        try (JsonCallLog log = JsonCallLog.from(p)) {
            for (int i = 0; i < calls; i++) {
                log.callCompleted(CallRecord.of(String.format("call-%02d", i), call, decision), 200, Duration.ofMillis(i));
            }
        }

        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(List.of("calls.log", "calls.log.1", "calls.log.2"),
                    files.map(f -> f.getFileName().toString()).sorted().toList());
        }
        // Oldest first: .2, .1, then the current file; together the newest calls, in order, none lost in between.
        List<String> ids = new ArrayList<>();
        for (String name : List.of("calls.log.2", "calls.log.1", "calls.log")) {
            Path f = dir.resolve(name);
            List<String> lines = Files.readAllLines(f);
            assertTrue(Files.size(f) <= maxBytes, name + " is " + Files.size(f) + " bytes");
            if (!name.equals("calls.log")) {
                // Rotated only when the next line did not fit.
                assertTrue(Files.size(f) + lines.get(0).length() + 1 > maxBytes, name + " was rotated early");
            }
            for (String line : lines) {
                ids.add(MAPPER.readTree(line).get("call_id").asText());
            }
        }
        assertFalse(ids.isEmpty());
        for (int k = 0; k < ids.size(); k++) {
            assertEquals(String.format("call-%02d", calls - ids.size() + k), ids.get(k));
        }
    }

    @Test
    void withOneFileTheLogStartsOverAndAppendsToWhatIsThere() throws Exception {
        Path file = dir.resolve("calls.log");
        RotatingFile sink = new RotatingFile(file, 10, 1);
        sink.write("12345\n".getBytes());
        sink.close();
        sink = new RotatingFile(file, 10, 1); // a restart appends
        sink.write("abc\n".getBytes());
        sink.write("xyz\n".getBytes()); // 10 + 4 > 10: starts over
        sink.close();
        assertEquals(List.of("xyz"), Files.readAllLines(file));
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(1, files.count());
        }
    }
}
