package dialroute.calllog;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import dialroute.dialplan.Action;
import dialroute.dialplan.Decision;
import dialroute.dialplan.Hop;
import dialroute.dialplan.RoutingEvents;
import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.format.DateTimeFormatter;
import java.util.Properties;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The call log: one JSON line per routing decision, written once the caller has its final answer.
 *
 * <p>Fields of each line, in this order (names are stable; new ones may be added, none renamed):
 * <ul>
 *   <li>{@code time}: when the decision was made, ISO-8601 UTC ({@code 2026-03-01T12:00:00.123Z})</li>
 *   <li>{@code call_id}: the INVITE's Call-ID</li>
 *   <li>{@code caller}: the From user part, or null</li>
 *   <li>{@code dialled}: the number as dialled (separators removed)</li>
 *   <li>{@code number}: the number after the rule's rewrite</li>
 *   <li>{@code rule}: {@code {"prefix": "9", "line": 23}} of the rule that matched, or null</li>
 *   <li>{@code action}: {@code proxy}, {@code redirect}, {@code reject}, or {@code shed} for a call
 *       refused with 503 at the proxied-call admission limit (its rule and number still say what the
 *       plan matched; calls the SIP stack refuses at the limit on all new calls never get here)</li>
 *   <li>{@code destinations}: the URIs of the decision's hops in order (proxy: as tried; redirect:
 *       the Contacts); empty for reject and shed, which send nothing anywhere</li>
 *   <li>{@code final_status}: the status of the final response the caller got</li>
 *   <li>{@code setup_ms}: from the INVITE's arrival to that response, milliseconds to the microsecond</li>
 * </ul>
 *
 * <p>The SIP thread only puts a small entry on a bounded queue; one writer thread formats and
 * writes, so a slow disk never delays a call. A full queue drops the entry and counts it
 * ({@link #dropped()}) rather than block. The file rotates by size ({@link RotatingFile}).
 * {@link #setEnabled} switches the log at runtime; off, nothing is queued. {@link #close()} writes
 * what is queued and ends the writer thread, so an undeploy leaves no thread behind.
 *
 * <p>{@link RoutingEvents} carry no Call-ID, so the log is fed through {@link #callCompleted} and
 * {@link #callShed} with a {@link CallRecord}; the decision-only callbacks it inherits do nothing.
 */
public final class JsonCallLog implements RoutingEvents, AutoCloseable {
    public static final String FILE = "dialroute.calllog.file";
    public static final String MAX_BYTES = "dialroute.calllog.max-bytes";
    public static final String FILES = "dialroute.calllog.files";
    static final long DEFAULT_MAX_BYTES = 10L * 1024 * 1024;
    static final int DEFAULT_FILES = 5;
    /** Two seconds of calls at the admission limit on all new calls (27,000/s): enough to ride out a disk stall. */
    static final int QUEUE_CAPACITY = 65_536;
    static final String THREAD_NAME = "dialroute-calllog";

    private static final Logger LOG = Logger.getLogger("dialroute");
    private static final JsonFactory JSON = new JsonFactory();

    /** Where lines go; a seam so tests can stall the writer. */
    interface Sink extends Closeable {
        void write(byte[] line) throws IOException;

        void flush() throws IOException;
    }

    /** A finished call waiting for the writer; formatting happens there, not on the SIP thread. */
    private record Entry(CallRecord call, boolean shed, int status, long setupNanos) {
    }

    private final Sink sink;
    private final BlockingQueue<Entry> queue;
    private final Thread writer;
    private final LongAdder dropped = new LongAdder();
    private final AtomicLong written = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private volatile boolean enabled;
    private volatile boolean closed;

    /** @param sink where lines go, or null for a log that is off for good (no file, no thread) */
    JsonCallLog(Sink sink, int capacity) {
        this.sink = sink;
        this.queue = new ArrayBlockingQueue<>(capacity);
        if (sink == null) {
            writer = null;
            return;
        }
        writer = new Thread(this::writeLoop, THREAD_NAME);
        writer.setDaemon(true); // never the reason a JVM cannot exit; close() is what stops it
        enabled = true;
        writer.start();
    }

    /** A log that writes nothing and starts no thread; {@link #setEnabled} cannot turn it on. */
    public static JsonCallLog disabled() {
        return new JsonCallLog(null, 1);
    }

    /**
     * From system properties: {@value #FILE} (absent or blank: {@link #disabled()}),
     * {@value #MAX_BYTES} (default 10 MiB) and {@value #FILES} (files kept in all, the current one
     * included; default 5).
     *
     * @throws IllegalArgumentException for a size or count that is not a positive number (count at most 1000)
     * @throws UncheckedIOException     when the file cannot be opened for appending
     */
    public static JsonCallLog fromSystemProperties() {
        return from(System.getProperties());
    }

    public static JsonCallLog from(Properties p) {
        String file = p.getProperty(FILE);
        if (file == null || file.isBlank()) {
            return disabled();
        }
        return open(Path.of(file.trim()).toAbsolutePath(), positive(p, MAX_BYTES, DEFAULT_MAX_BYTES, Long.MAX_VALUE),
                (int) positive(p, FILES, DEFAULT_FILES, 1000));
    }

    public static JsonCallLog open(Path file, long maxBytes, int files) {
        try {
            return new JsonCallLog(new RotatingFile(file, maxBytes, files), QUEUE_CAPACITY);
        } catch (IOException e) {
            throw new UncheckedIOException("call log " + file + " cannot be opened: " + e, e);
        }
    }

    /** Logs a call whose caller got {@code finalStatus}, {@code setup} after its INVITE arrived. */
    public void callCompleted(CallRecord call, int finalStatus, Duration setup) {
        enqueue(new Entry(call, false, finalStatus, setup.toNanos()));
    }

    /** Logs a call refused with 503 at the proxied-call admission limit; its decision was not carried out. */
    public void callShed(CallRecord call, Duration setup) {
        enqueue(new Entry(call, true, 503, setup.toNanos()));
    }

    private void enqueue(Entry entry) {
        if (enabled && !queue.offer(entry)) {
            dropped.increment();
        }
    }

    /** On or off at runtime. Stays off for a log without a file, or once closed. */
    public void setEnabled(boolean on) {
        enabled = on && writer != null && !closed;
    }

    public boolean isEnabled() {
        return enabled;
    }

    /** Entries dropped because the queue was full. */
    public long dropped() {
        return dropped.sum();
    }

    /** Lines written so far. */
    public long written() {
        return written.get();
    }

    /** Lines lost to write errors (disk full, file removed with its directory, ...). */
    public long failed() {
        return failed.get();
    }

    /** Writes what is queued, closes the file and ends the writer thread; waits up to 10 s for it. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        enabled = false;
        if (writer == null) {
            return;
        }
        writer.interrupt(); // wakes the writer from take(); it then drains the queue and stops
        try {
            writer.join(TimeUnit.SECONDS.toMillis(10));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (writer.isAlive()) {
            LOG.warning("dialroute: call log writer did not stop within 10 s (disk stalled?)");
        }
    }

    private void writeLoop() {
        try {
            while (true) {
                write(queue.take());
                // Flush once per burst: lines reach the file promptly without a flush per call.
                for (Entry more = queue.poll(); more != null; more = queue.poll()) {
                    write(more);
                }
                flush();
            }
        } catch (InterruptedException closing) {
            // close() woke us; what is still queued is written below
        }
        for (Entry rest = queue.poll(); rest != null; rest = queue.poll()) {
            write(rest);
        }
        flush();
        try {
            sink.close();
        } catch (IOException e) {
            LOG.log(Level.WARNING, "dialroute: call log " + sink + ": close failed", e);
        }
    }

    private void write(Entry entry) {
        try {
            sink.write(line(entry));
            written.incrementAndGet();
        } catch (IOException | RuntimeException e) {
            // Keep the writer alive: a failing disk costs lines (counted), not the log for good.
            if (failed.getAndIncrement() == 0) {
                LOG.log(Level.WARNING, "dialroute: call log " + sink + ": write failed; further failures are only counted", e);
            }
        }
    }

    private void flush() {
        try {
            sink.flush();
        } catch (IOException e) {
            LOG.log(Level.FINE, "dialroute: call log flush failed", e);
        }
    }

    /** One line of JSON. Jackson escapes control characters, so a caller name with CR/LF cannot forge a line. */
    private static byte[] line(Entry entry) throws IOException {
        CallRecord call = entry.call();
        Decision d = call.decision();
        boolean shed = entry.shed();
        ByteArrayOutputStream out = new ByteArrayOutputStream(256);
        try (JsonGenerator g = JSON.createGenerator(out)) {
            g.writeStartObject();
            g.writeStringField("time", DateTimeFormatter.ISO_INSTANT.format(call.time()));
            g.writeStringField("call_id", call.callId());
            g.writeStringField("caller", call.caller());
            g.writeStringField("dialled", d.dialled());
            g.writeStringField("number", d.number());
            if (d.rule() == null) {
                g.writeNullField("rule");
            } else {
                g.writeObjectFieldStart("rule");
                g.writeStringField("prefix", d.rule().prefix());
                g.writeNumberField("line", d.rule().line());
                g.writeEndObject();
            }
            g.writeStringField("action", shed ? "shed" : actionName(d.action()));
            g.writeArrayFieldStart("destinations");
            if (!shed) {
                for (Hop hop : d.hops()) {
                    g.writeString(hop.uri());
                }
            }
            g.writeEndArray();
            g.writeNumberField("final_status", entry.status());
            g.writeNumberField("setup_ms", Math.round(entry.setupNanos() / 1_000.0) / 1_000.0);
            g.writeEndObject();
        }
        out.write('\n');
        return out.toByteArray();
    }

    private static String actionName(Action action) {
        if (action instanceof Action.ProxyTo) {
            return "proxy";
        }
        return action instanceof Action.RedirectTo ? "redirect" : "reject";
    }

    private static long positive(Properties p, String key, long fallback, long max) {
        String value = p.getProperty(key);
        if (value == null || value.isBlank()) {
            return fallback;
        }
        try {
            long n = Long.parseLong(value.trim());
            if (n > 0 && n <= max) {
                return n;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException(key + " must be a whole number from 1 to " + max + ", was '" + value + "'");
    }

    @Override
    public String toString() {
        return sink == null ? "off (no " + FILE + ")" : sink + (enabled ? "" : ", switched off");
    }
}
