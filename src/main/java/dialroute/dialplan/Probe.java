package dialroute.dialplan;

import java.time.Duration;

/**
 * How a destination's health is checked with SIP OPTIONS: one probe every {@code interval}; no
 * final response within {@code timeout}, or a status outside {@code accepted}, is a failure.
 * {@code downAfter} failures in a row take the destination out of routing, {@code upAfter}
 * successes in a row put it back, so one lost datagram neither drops a gateway nor does one
 * lucky answer bring a flapping one back.
 */
public record Probe(Duration interval, Duration timeout, int downAfter, int upAfter, StatusCodes accepted) {

    /**
     * Every 10 s, 2 s to answer, down after 3 failures, up after 2 successes. Accepted: 2xx, and
     * 404 and 405, which still prove a live SIP server (a server with no user for the probe's
     * Request-URI, or one that does not implement OPTIONS); 5xx and 6xx mean it takes no calls.
     */
    public static final Probe DEFAULT = new Probe(Duration.ofSeconds(10), Duration.ofSeconds(2), 3, 2, StatusCodes.of("2xx", "404", "405"));

    public Probe {
        if (interval.isNegative() || interval.isZero() || timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("probe interval and timeout must be positive");
        }
        if (timeout.compareTo(interval) > 0) {
            throw new IllegalArgumentException("probe timeout " + timeout + " is longer than the interval " + interval);
        }
        if (downAfter < 1 || upAfter < 1) {
            throw new IllegalArgumentException("down-after and up-after must be 1 or more");
        }
    }

    /** The soonest a destination that is down now can be up again: {@code upAfter} more probes. */
    public Duration recovery() {
        return interval.multipliedBy(upAfter);
    }
}
