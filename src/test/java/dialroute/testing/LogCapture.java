package dialroute.testing;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * Records what dialroute logs (its "dialroute" logger), so tests can assert the lines an admin
 * would read. The embedded container shares the JVM's log manager, so this sees the deployed
 * application's lines too.
 */
public final class LogCapture extends Handler implements AutoCloseable {
    private final List<String> lines = new CopyOnWriteArrayList<>();
    // Held so the logger, and the handler on it, cannot be garbage-collected between an
    // application's undeploy and the next deploy: java.util.logging keeps loggers weakly.
    private final Logger logger = Logger.getLogger("dialroute");

    private LogCapture() {
    }

    public static LogCapture start() {
        LogCapture capture = new LogCapture();
        capture.logger.addHandler(capture);
        return capture;
    }

    public List<String> lines() {
        return lines;
    }

    public boolean any(Predicate<String> line) {
        return lines.stream().anyMatch(line);
    }

    /** Waits up to {@code timeout} for a line matching {@code line}. */
    public void await(Predicate<String> line, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (any(line)) {
                return;
            }
            Thread.sleep(50);
        }
        throw new AssertionError("no such log line within " + timeout + "; logged: " + lines);
    }

    @Override
    public void publish(LogRecord record) {
        lines.add(record.getMessage());
    }

    @Override
    public void flush() {
    }

    @Override
    public void close() {
        logger.removeHandler(this);
    }
}
