package dialroute.health;

import dialroute.dialplan.Availability;
import dialroute.dialplan.Destination;
import dialroute.dialplan.Probe;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Which destinations may get calls: what their probes showed, and the admin's own switch. The two
 * are kept apart, as an admin taking a gateway out for maintenance must not be undone by its
 * probes answering, nor a failing gateway put back by a reload. Both are keyed by destination
 * name, so they outlive plan reloads; probe state is forgotten when a destination stops being
 * probed or its name moves to another server.
 *
 * <p>Thread-safe: calls read it on their own threads, the prober and the admin API write it.
 */
public final class DestinationHealth implements Availability {
    private final Map<String, ProbeState> states = new ConcurrentHashMap<>();
    private final Set<String> disabled = ConcurrentHashMap.newKeySet();

    @Override
    public Unavailable check(Destination destination) {
        if (!disabled.isEmpty() && disabled.contains(destination.name())) {
            return Unavailable.DISABLED;
        }
        if (!destination.probed()) {
            return null;
        }
        ProbeState state = states.get(destination.name());
        return state != null && state.health() == ProbeState.Health.DOWN && state.uri().equals(destination.target().uri())
                ? Unavailable.DOWN : null;
    }

    /** The probe state of {@code name}, or null when it is not probed (or not yet). */
    public ProbeState state(String name) {
        return states.get(name);
    }

    /**
     * Starts tracking the destinations probed now and forgets the others, or the state of a name
     * that now names another server.
     */
    public void track(Collection<Destination> probed, Instant now) {
        Set<String> names = new HashSet<>();
        for (Destination d : probed) {
            names.add(d.name());
            states.compute(d.name(), (name, old) -> old != null && old.uri().equals(d.target().uri()) ? old
                    : ProbeState.fresh(d.target().uri(), now));
        }
        states.keySet().retainAll(names);
    }

    /**
     * Records one probe of {@code destination} that ended at {@code now}.
     *
     * @param status  the final status it got, or null when none came within the probe's timeout
     * @param latency how long the reply took, or null without one
     * @return the destination's state after this probe
     */
    public ProbeState probed(Destination destination, Integer status, Duration latency, Instant now) {
        Probe probe = destination.probe();
        boolean ok = status != null && probe.accepted().contains(status);
        return states.compute(destination.name(), (name, old) -> {
            ProbeState s = old != null && old.uri().equals(destination.target().uri()) ? old : ProbeState.fresh(destination.target().uri(), now);
            int successes = ok ? s.successes() + 1 : 0;
            int failures = ok ? 0 : s.failures() + 1;
            ProbeState.Health health = s.health();
            if (ok && health != ProbeState.Health.UP && (health == ProbeState.Health.UNKNOWN || successes >= probe.upAfter())) {
                // A destination nobody has seen fail is up at its first good answer; one that was
                // down must prove itself upAfter times.
                health = ProbeState.Health.UP;
            } else if (!ok && health != ProbeState.Health.DOWN && failures >= probe.downAfter()) {
                health = ProbeState.Health.DOWN;
            }
            Instant since = health == s.health() ? s.since() : now;
            return new ProbeState(s.uri(), health, since, now, status, status != null ? latency : null, successes, failures);
        });
    }

    /** The admin's switch: a disabled destination gets no calls whatever its probes say. */
    public void setEnabled(String name, boolean enabled) {
        if (enabled) {
            disabled.remove(name);
        } else {
            disabled.add(name);
        }
    }

    public boolean isEnabled(String name) {
        return !disabled.contains(name);
    }

    /** The names the admin has disabled, sorted. */
    public Set<String> disabled() {
        return new TreeSet<>(disabled);
    }
}
