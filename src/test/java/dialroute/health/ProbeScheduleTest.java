package dialroute.health;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dialroute.dialplan.Destination;
import dialroute.dialplan.NumberRewrite;
import dialroute.dialplan.Probe;
import dialroute.dialplan.StatusCodes;
import dialroute.dialplan.Target;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ProbeScheduleTest {
    static final Probe PROBE = new Probe(Duration.ofSeconds(10), Duration.ofSeconds(2), 2, 2, StatusCodes.of("2xx"));
    static final Instant T0 = Instant.parse("2026-11-28T10:00:00Z");

    private final DestinationHealth health = new DestinationHealth();

    static Destination gateway(int i) {
        return new Destination("gw" + i, Target.parse("sip:127.0.0.1:" + (6000 + i)), NumberRewrite.NONE, PROBE);
    }

    static List<Destination> gateways(int n) {
        List<Destination> all = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            all.add(gateway(i));
        }
        return all;
    }

    /** Ticks every 100 ms from T0 for {@code seconds}, answering each probe at once with 200; returns the send times. */
    private static List<Instant> run(ProbeSchedule schedule, List<Destination> destinations, int seconds) {
        List<Instant> sent = new ArrayList<>();
        for (int ms = 0; ms <= seconds * 1000; ms += 100) {
            Instant now = T0.plusMillis(ms);
            for (ProbeSchedule.Ticket t : schedule.due(destinations, now)) {
                sent.add(now);
                schedule.answered(t, 200, now.plusMillis(5));
            }
        }
        return sent;
    }

    @Test
    void firstProbesAreSpreadOverOneIntervalNotSentAtOnce() {
        ProbeSchedule schedule = new ProbeSchedule(health, 100, new Random(7));
        List<Destination> fifty = gateways(50);
        java.util.Set<String> probed = new java.util.HashSet<>();
        int inFirstSecond = 0;
        for (int ms = 0; ms < 10_000; ms += 100) {
            for (ProbeSchedule.Ticket t : schedule.due(fifty, T0.plusMillis(ms))) {
                assertTrue(probed.add(t.destination().name()), "probed twice within one interval: " + t.destination().name());
                inFirstSecond += ms < 1000 ? 1 : 0;
                schedule.answered(t, 200, T0.plusMillis(ms + 5));
            }
        }
        assertEquals(50, probed.size(), "each gateway probed within the first interval");
        assertTrue(inFirstSecond < 15, "first probes bunched at start: " + inFirstSecond + " of 50 in the first second");
    }

    @Test
    void eachDestinationIsProbedAboutOncePerIntervalWithJitter() {
        ProbeSchedule schedule = new ProbeSchedule(health, 10, new Random(3));
        List<Instant> sent = run(schedule, List.of(gateway(0)), 100);
        assertTrue(sent.size() >= 9 && sent.size() <= 12, "probes in 100 s at a 10 s interval: " + sent.size());
        for (int i = 1; i < sent.size(); i++) {
            long gap = Duration.between(sent.get(i - 1), sent.get(i)).toMillis();
            assertTrue(gap >= 9000 && gap <= 11100, "gap " + gap + " ms outside interval +-10%");
        }
    }

    @Test
    void neverMoreThanMaxOutstandingProbesInFlight() {
        ProbeSchedule schedule = new ProbeSchedule(health, 4, new Random(1));
        List<Destination> twenty = gateways(20);
        int most = 0;
        for (int ms = 0; ms <= 30_000; ms += 100) {
            // nobody answers: every probe stays in flight until its 2 s timeout
            int sent = schedule.due(twenty, T0.plusMillis(ms)).size();
            most = Math.max(most, schedule.outstanding());
            assertTrue(sent <= 4);
        }
        assertEquals(4, most);
        for (Destination d : twenty) {
            assertTrue(health.state(d.name()).failures() >= 1, d.name() + " waited its turn and was probed");
        }
    }

    @Test
    void noReplyWithinTheTimeoutIsAFailureAndALateReplyIsIgnored() {
        ProbeSchedule schedule = new ProbeSchedule(health, 10, new Random(5));
        Destination gw = gateway(0);
        ProbeSchedule.Ticket first = null;
        Instant now = T0;
        while (first == null) {
            List<ProbeSchedule.Ticket> due = schedule.due(List.of(gw), now);
            first = due.isEmpty() ? null : due.get(0);
            now = now.plusMillis(100);
        }
        assertTrue(schedule.due(List.of(gw), first.sent().plusMillis(1999)).isEmpty(), "one probe at a time per destination");
        assertEquals(ProbeState.Health.UNKNOWN, health.state("gw0").health());
        schedule.due(List.of(gw), first.sent().plusSeconds(2));
        assertEquals(1, health.state("gw0").failures());
        assertEquals("timeout", health.state("gw0").lastReply());
        assertNull(schedule.answered(first, 200, first.sent().plusSeconds(3)), "the 200 came after the timeout");
        assertEquals(1, health.state("gw0").failures());
    }

    @Test
    void replyMeasuresLatencyFromTheSend() {
        ProbeSchedule schedule = new ProbeSchedule(health, 10, new Random(5));
        Destination gw = gateway(0);
        for (Instant now = T0; ; now = now.plusMillis(100)) {
            List<ProbeSchedule.Ticket> due = schedule.due(List.of(gw), now);
            if (!due.isEmpty()) {
                ProbeState s = schedule.answered(due.get(0), 200, now.plusMillis(37));
                assertEquals(Duration.ofMillis(37), s.latency());
                assertEquals(ProbeState.Health.UP, s.health());
                return;
            }
        }
    }

    @Test
    void aDestinationDroppedByAReloadIsNoLongerProbedNorKept() {
        ProbeSchedule schedule = new ProbeSchedule(health, 10, new Random(5));
        run(schedule, List.of(gateway(0), gateway(1)), 12);
        assertTrue(schedule.due(List.of(gateway(1)), T0.plusSeconds(13)).stream().noneMatch(t -> t.destination().name().equals("gw0")));
        assertNull(health.state("gw0"));
        assertEquals(ProbeState.Health.UP, health.state("gw1").health());
    }

    @Test
    void anUnsendableProbeFailsAtOnce() {
        ProbeSchedule schedule = new ProbeSchedule(health, 10, new Random(5));
        Destination gw = gateway(0);
        for (Instant now = T0; ; now = now.plusMillis(100)) {
            List<ProbeSchedule.Ticket> due = schedule.due(List.of(gw), now);
            if (!due.isEmpty()) {
                assertEquals(1, schedule.unsent(due.get(0), now).failures());
                assertEquals(0, schedule.outstanding());
                return;
            }
        }
    }
}
