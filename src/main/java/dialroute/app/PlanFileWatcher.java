package dialroute.app;

import dialroute.admin.PlanFile;
import dialroute.dialplan.ActiveDialPlan;
import dialroute.dialplan.DialPlan;
import dialroute.dialplan.InvalidDialPlanException;
import dialroute.dialplan.RoutingEvents;
import dialroute.dialplan.yaml.YamlDialPlanReader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Reloads the dial plan when its file changes. A valid new version replaces the serving plan in
 * one step; calls already routed keep their decisions. A file with problems is refused with every
 * problem logged, and the old plan keeps serving.
 *
 * <p>It polls the file's modification time and size rather than using a WatchService: editors
 * save by writing a new file and renaming it over the old one, and deployment tools replace whole
 * directories; a poll sees all of these the same way, at the cost of one stat call a second.
 */
public final class PlanFileWatcher implements PlanFile, AutoCloseable {
    private static final Logger LOG = Logger.getLogger("dialroute");

    private final Path file;
    private final ActiveDialPlan active;
    private final RoutingEvents events;
    private final YamlDialPlanReader reader = new YamlDialPlanReader();
    private final ScheduledExecutorService timer;
    private Object seen;
    private String refusedVersion;

    private PlanFileWatcher(Path file, ActiveDialPlan active, RoutingEvents events) {
        this.file = file;
        this.active = active;
        this.events = events;
        this.seen = stamp();
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "dialroute-plan-watcher");
            t.setDaemon(true);
            return t;
        });
    }

    /** Starts watching {@code file}, checking every {@code interval}. */
    public static PlanFileWatcher start(Path file, ActiveDialPlan active, Duration interval) {
        return start(file, active, interval, RoutingEvents.NONE);
    }

    /** Starts watching {@code file}, checking every {@code interval}, telling {@code events} of each reload. */
    public static PlanFileWatcher start(Path file, ActiveDialPlan active, Duration interval, RoutingEvents events) {
        PlanFileWatcher watcher = new PlanFileWatcher(file, active, events);
        watcher.timer.scheduleWithFixedDelay(watcher::checkQuietly, interval.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
        return watcher;
    }

    private void checkQuietly() {
        try {
            check();
        } catch (RuntimeException e) {
            // Never let one bad poll end the watching.
            LOG.log(Level.WARNING, "dialroute: checking " + file + " for changes failed", e);
        }
    }

    /** Reloads if the file changed since the last look. */
    void check() {
        Object now = stamp();
        if (now.equals(seen)) {
            return;
        }
        seen = now;
        DialPlan serving = active.current();
        DialPlan next;
        try {
            next = reader.read(file);
        } catch (InvalidDialPlanException e) {
            String key = e.getMessage();
            if (!key.equals(refusedVersion)) {
                refusedVersion = key;
                events.reloadRefused(e);
                LOG.warning("dialroute: reload refused, still serving version " + serving.version() + "; " + e.getMessage());
            }
            return;
        }
        refusedVersion = null;
        if (next.version().equals(serving.version())) {
            return; // touched, not changed
        }
        install(next);
    }

    @Override
    public DialPlan read() throws InvalidDialPlanException {
        return reader.read(file);
    }

    @Override
    public synchronized void install(DialPlan next) {
        DialPlan replaced = active.replace(next);
        events.planLoaded(next, true);
        LOG.info("dialroute: reloaded dial plan " + next + ", replacing version " + replaced.version());
    }

    /** What identifies one state of the file: modification time and size, or "missing". */
    private Object stamp() {
        try {
            BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class);
            return a.lastModifiedTime().toMillis() + ":" + a.size() + ":" + a.fileKey();
        } catch (IOException e) {
            return "missing";
        }
    }

    /** Stops watching; returns once the watcher thread has ended, so an undeploy leaves no thread behind. */
    @Override
    public void close() {
        timer.shutdownNow();
        try {
            timer.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
