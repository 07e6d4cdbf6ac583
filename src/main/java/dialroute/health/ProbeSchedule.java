package dialroute.health;

import dialroute.dialplan.Destination;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.random.RandomGenerator;

/**
 * When each probed destination gets its next OPTIONS, and which probes have run out of time. It
 * never floods: first probes are spread over one interval instead of all going out at start, each
 * next probe is jittered by up to a tenth of the interval so destinations do not fall into step,
 * at most {@code maxOutstanding} probes are in flight at once (the rest wait for the next tick),
 * and a destination never has two probes in flight.
 *
 * <p>A probe fails when no final response arrives within the probe's timeout; this schedule
 * measures that itself rather than waiting for the SIP transaction to time out (32 s for OPTIONS).
 * A reply arriving after that is ignored.
 *
 * <p>Thread-safe (the ticker and the SIP response threads call it); time is passed in.
 */
public final class ProbeSchedule {

    /** One probe on its way: which destination, and when it was sent and runs out of time. */
    public record Ticket(Destination destination, long sequence, Instant sent, Instant deadline) {
    }

    private final DestinationHealth health;
    private final int maxOutstanding;
    private final RandomGenerator random;
    private final Map<String, Destination> probed = new LinkedHashMap<>();
    private final Map<String, Instant> nextDue = new HashMap<>();
    private final Map<String, Ticket> outstanding = new HashMap<>();
    private long sequence;

    public ProbeSchedule(DestinationHealth health, int maxOutstanding, RandomGenerator random) {
        if (maxOutstanding < 1) {
            throw new IllegalArgumentException("at least one probe must be allowed in flight");
        }
        this.health = health;
        this.maxOutstanding = maxOutstanding;
        this.random = random;
    }

    /**
     * Brings the schedule up to date at {@code now}: follows the destinations probed now (a reload
     * may add, drop or change them), fails the probes whose time ran out, and returns the probes
     * to send now, already counted as in flight.
     */
    public synchronized List<Ticket> due(Collection<Destination> destinations, Instant now) {
        follow(destinations, now);
        List<Ticket> expired = new ArrayList<>();
        for (Ticket t : outstanding.values()) {
            if (!now.isBefore(t.deadline())) {
                expired.add(t);
            }
        }
        for (Ticket t : expired) {
            outstanding.remove(t.destination().name());
            health.probed(t.destination(), null, null, now);
        }
        List<Ticket> send = new ArrayList<>();
        for (Destination d : probed.values()) {
            if (outstanding.size() >= maxOutstanding) {
                break;
            }
            String name = d.name();
            if (outstanding.containsKey(name) || now.isBefore(nextDue.get(name))) {
                continue;
            }
            Ticket ticket = new Ticket(d, ++sequence, now, now.plus(d.probe().timeout()));
            outstanding.put(name, ticket);
            nextDue.put(name, now.plus(jittered(d.probe().interval())));
            send.add(ticket);
        }
        return send;
    }

    /**
     * A final response to {@code ticket}'s probe arrived at {@code now}.
     *
     * @return the destination's state after it, or null when the probe had already timed out (or
     * its destination is no longer probed) and the reply changes nothing
     */
    public synchronized ProbeState answered(Ticket ticket, int status, Instant now) {
        if (!isOutstanding(ticket) || !now.isBefore(ticket.deadline())) {
            return null;
        }
        outstanding.remove(ticket.destination().name());
        return health.probed(ticket.destination(), status, Duration.between(ticket.sent(), now), now);
    }

    /** The probe could not even be sent (e.g. a TCP connection refused): a failure at once. */
    public synchronized ProbeState unsent(Ticket ticket, Instant now) {
        if (!isOutstanding(ticket)) {
            return null;
        }
        outstanding.remove(ticket.destination().name());
        return health.probed(ticket.destination(), null, null, now);
    }

    /** Probes in flight now. */
    public synchronized int outstanding() {
        return outstanding.size();
    }

    private boolean isOutstanding(Ticket ticket) {
        Ticket current = outstanding.get(ticket.destination().name());
        return current != null && current.sequence() == ticket.sequence();
    }

    private void follow(Collection<Destination> destinations, Instant now) {
        Map<String, Destination> next = new LinkedHashMap<>();
        for (Destination d : destinations) {
            if (d.probed()) {
                next.put(d.name(), d);
            }
        }
        if (next.equals(probed)) {
            return;
        }
        for (Destination d : next.values()) {
            Destination old = probed.get(d.name());
            if (old == null || !old.equals(d)) {
                // New, or changed by a reload: first probe somewhere within one interval.
                nextDue.put(d.name(), now.plus(fraction(d.probe().interval(), random.nextDouble())));
                outstanding.remove(d.name());
            }
        }
        nextDue.keySet().retainAll(next.keySet());
        outstanding.keySet().retainAll(next.keySet());
        probed.clear();
        probed.putAll(next);
        health.track(next.values(), now);
    }

    /** The interval, 10% shorter or longer at random. */
    private Duration jittered(Duration interval) {
        return fraction(interval, 0.9 + 0.2 * random.nextDouble());
    }

    private static Duration fraction(Duration d, double factor) {
        return Duration.ofNanos((long) (d.toNanos() * factor));
    }
}
