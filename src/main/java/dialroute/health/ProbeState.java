package dialroute.health;

import java.time.Duration;
import java.time.Instant;

/**
 * What the probes of one destination have shown so far. Immutable: each probe result makes a new
 * one, so readers (calls, the admin API, metrics) always see a consistent picture.
 *
 * @param uri        the destination's target when this was recorded; a reload that moves the
 *                   name to another server starts over
 * @param health     up, down, or unknown until the first probe ends
 * @param since      when {@code health} last changed (or probing began)
 * @param lastProbe  when the last probe ended, or null before the first
 * @param lastStatus the status of the last reply, or null when the last probe got none in time
 * @param latency    how long the last reply took, or null when there was none
 * @param successes  probes accepted in a row
 * @param failures   probes failed in a row
 */
public record ProbeState(String uri, Health health, Instant since, Instant lastProbe, Integer lastStatus, Duration latency,
                         int successes, int failures) {

    public enum Health { UNKNOWN, UP, DOWN }

    static ProbeState fresh(String uri, Instant now) {
        return new ProbeState(uri, Health.UNKNOWN, now, null, null, null, 0, 0);
    }

    /** The last reply as people read it: "200", "timeout", or "none" before the first probe ended. */
    public String lastReply() {
        return lastProbe == null ? "none" : lastStatus == null ? "timeout" : Integer.toString(lastStatus);
    }
}
