package dialroute.health;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dialroute.dialplan.Availability;
import dialroute.dialplan.Destination;
import dialroute.dialplan.NumberRewrite;
import dialroute.dialplan.Probe;
import dialroute.dialplan.StatusCodes;
import dialroute.dialplan.Target;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class DestinationHealthTest {
    static final Probe PROBE = new Probe(Duration.ofSeconds(10), Duration.ofSeconds(2), 3, 2, StatusCodes.of("2xx", "404", "405"));
    static final Destination PSTN = new Destination("pstn", Target.parse("sip:127.0.0.1:5090"), NumberRewrite.NONE, PROBE);
    static final Instant T0 = Instant.parse("2026-11-28T10:00:00Z");

    private final DestinationHealth health = new DestinationHealth();

    private ProbeState probe(Integer status, int secondsAfterStart) {
        return health.probed(PSTN, status, status == null ? null : Duration.ofMillis(15), T0.plusSeconds(secondsAfterStart));
    }

    @Test
    void aDestinationNobodyProbedYetGetsCalls() {
        health.track(List.of(PSTN), T0);
        assertEquals(ProbeState.Health.UNKNOWN, health.state("pstn").health());
        assertNull(health.check(PSTN));
    }

    @Test
    void firstAcceptedReplyMeansUpWithItsLatency() {
        ProbeState s = probe(200, 1);
        assertEquals(ProbeState.Health.UP, s.health());
        assertEquals(T0.plusSeconds(1), s.since());
        assertEquals("200", s.lastReply());
        assertEquals(Duration.ofMillis(15), s.latency());
    }

    @Test
    void goesDownOnlyAfterDownAfterFailuresInARow() {
        probe(200, 0);
        assertEquals(ProbeState.Health.UP, probe(null, 10).health());
        assertEquals(ProbeState.Health.UP, probe(503, 20).health()); // 503 is not accepted: second failure
        ProbeState third = probe(null, 30);
        assertEquals(ProbeState.Health.DOWN, third.health());
        assertEquals(T0.plusSeconds(30), third.since());
        assertEquals("timeout", third.lastReply());
        assertNull(third.latency());
        assertEquals(Availability.Unavailable.DOWN, health.check(PSTN));
    }

    @Test
    void aSuccessBetweenFailuresStartsTheCountAgain() {
        probe(200, 0);
        probe(null, 10);
        probe(null, 20);
        probe(404, 30); // 404 proves a live server
        probe(null, 40);
        assertEquals(ProbeState.Health.UP, probe(null, 50).health());
        assertEquals(ProbeState.Health.DOWN, probe(null, 60).health());
    }

    @Test
    void comesBackOnlyAfterUpAfterSuccessesInARow() {
        for (int i = 0; i < 3; i++) {
            probe(null, i * 10);
        }
        assertEquals(ProbeState.Health.DOWN, probe(200, 30).health());
        assertEquals(Availability.Unavailable.DOWN, health.check(PSTN));
        ProbeState back = probe(405, 40);
        assertEquals(ProbeState.Health.UP, back.health());
        assertEquals(T0.plusSeconds(40), back.since());
        assertNull(health.check(PSTN));
    }

    @Test
    void adminSwitchIsIndependentOfProbes() {
        probe(200, 0);
        health.setEnabled("pstn", false);
        assertEquals(Availability.Unavailable.DISABLED, health.check(PSTN));
        probe(200, 10);
        assertEquals(Availability.Unavailable.DISABLED, health.check(PSTN), "a good probe does not undo the admin");
        health.setEnabled("pstn", true);
        assertNull(health.check(PSTN));
    }

    @Test
    void disabledOutlivesTheDestinationLeavingThePlanAndComingBack() {
        health.setEnabled("pstn", false);
        health.track(List.of(), T0);
        health.track(List.of(PSTN), T0.plusSeconds(5));
        assertEquals(Availability.Unavailable.DISABLED, health.check(PSTN));
    }

    @Test
    void reloadThatStopsProbingOrMovesTheNameForgetsTheProbeState() {
        for (int i = 0; i < 3; i++) {
            probe(null, i * 10);
        }
        Destination moved = new Destination("pstn", Target.parse("sip:127.0.0.1:5099"), NumberRewrite.NONE, PROBE);
        assertNull(health.check(moved), "another server under the same name starts with a clean slate");
        health.track(List.of(moved), T0.plusSeconds(40));
        assertEquals(ProbeState.Health.UNKNOWN, health.state("pstn").health());
        health.track(List.of(), T0.plusSeconds(50));
        assertNull(health.state("pstn"));
    }

    @Test
    void destinationsWithoutProbingAreNeverDown() {
        Destination inline = Destination.inline(Target.parse("sip:127.0.0.1:5090"));
        assertNull(health.check(inline));
    }
}
