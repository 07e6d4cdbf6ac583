package dialroute.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dialroute.dialplan.ActiveDialPlan;
import dialroute.dialplan.DialPlan;
import dialroute.dialplan.yaml.YamlDialPlanReader;
import dialroute.testing.LogCapture;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PlanFileWatcherTest {
    static final String V1 = "rules:\n  - {prefix: '9', mode: proxy, target: 'sip:127.0.0.1:5090', strip: 1}\n";
    static final String V2 = "rules:\n  - {prefix: '9', mode: redirect, target: 'sip:127.0.0.1:5091'}\n  - {prefix: '7', mode: reject, status: 403}\n";
    static final String BROKEN = "rules:\n  - {prefix: '9', mode: bounce}\n";

    @TempDir
    Path dir;
    LogCapture log;

    @BeforeEach
    void listen() {
        log = LogCapture.start();
    }

    @AfterEach
    void stopListening() {
        log.close();
    }

    @Test
    void validEditReplacesThePlanAndBrokenEditKeepsItServing() throws Exception {
        Path file = dir.resolve("plan.yaml");
        Files.writeString(file, V1);
        DialPlan first = new YamlDialPlanReader().read(file);
        ActiveDialPlan active = new ActiveDialPlan(first);
        try (PlanFileWatcher watcher = PlanFileWatcher.start(file, active, Duration.ofHours(1))) {
            Files.writeString(file, V2);
            watcher.check();
            DialPlan second = active.current();
            assertEquals(2, second.rules().size());
            assertEquals("reject", describe(second, "7123"));
            assertTrue(log.lines().contains("dialroute: reloaded dial plan " + second + ", replacing version " + first.version()), log.lines().toString());

            Files.writeString(file, BROKEN);
            watcher.check();
            assertEquals(second, active.current(), "a broken file changes nothing");
            assertTrue(log.any(m -> m.startsWith("dialroute: reload refused, still serving version " + second.version()
                    + "; dial plan refused, 1 problem:\n  " + file + ":2:25: unknown mode 'bounce'")), log.lines().toString());

            Files.delete(file);
            watcher.check();
            assertEquals(second, active.current(), "a deleted file changes nothing");
        }
    }

    @Test
    void pollingPicksUpAnEditByItself() throws Exception {
        Path file = dir.resolve("plan.yaml");
        Files.writeString(file, V1);
        ActiveDialPlan active = new ActiveDialPlan(new YamlDialPlanReader().read(file));
        try (PlanFileWatcher ignored = PlanFileWatcher.start(file, active, Duration.ofMillis(50))) {
            Files.writeString(file, V2);
            long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
            while (active.current().rules().size() != 2 && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertEquals(2, active.current().rules().size());
        }
    }

    private static String describe(DialPlan plan, String number) {
        return plan.lookup(number).action().getClass().getSimpleName().equals("Reject") ? "reject" : "other";
    }
}
