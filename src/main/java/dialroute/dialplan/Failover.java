package dialroute.dialplan;

import java.time.Duration;

/**
 * When a proxy rule gives up on one target and tries the next.
 *
 * @param on                 final statuses that move on to the next target
 * @param provisionalTimeout a target that sends no provisional response (100 Trying, 180 Ringing)
 *                           within this time is cancelled and the next one tried. Much shorter
 *                           than a ring timeout: a live server answers 100 at once.
 */
public record Failover(StatusCodes on, Duration provisionalTimeout) {
    /** 408 Request Timeout, 480 Temporarily Unavailable and server errors; never 6xx, which is final everywhere. */
    public static final Failover DEFAULT = new Failover(StatusCodes.of("408", "480", "5xx"), Duration.ofSeconds(2));
}
