package dialroute.overload;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class SourceLimiterTest {
    final AtomicLong clock = new AtomicLong(1_000_000_000L);
    final SourceLimiter limiter = new SourceLimiter(10, 5, 30, clock::get);

    @Test
    void aFloodingSourceIsBannedWhileOthersAreServed() {
        for (int i = 0; i < 5; i++) {
            assertTrue(limiter.admit("192.0.2.1"), "the burst is allowed");
        }
        assertFalse(limiter.admit("192.0.2.1"), "over the burst: banned");
        assertTrue(limiter.admit("192.0.2.2"), "another source is not affected");
        assertEquals(30, limiter.retryAfterSeconds("192.0.2.1"));

        clock.addAndGet(TimeUnit.SECONDS.toNanos(10));
        assertFalse(limiter.admit("192.0.2.1"), "still banned after 10 s, though its bucket refilled");
        assertEquals(20, limiter.retryAfterSeconds("192.0.2.1"));

        clock.addAndGet(TimeUnit.SECONDS.toNanos(21));
        assertTrue(limiter.admit("192.0.2.1"), "the ban is over");
        assertEquals(2, limiter.refused());
    }

    @Test
    void aSteadySourceWithinItsRateIsNeverRefused() {
        for (int i = 0; i < 1000; i++) {
            assertTrue(limiter.admit("192.0.2.9"));
            clock.addAndGet(TimeUnit.MILLISECONDS.toNanos(101)); // a little under 10/s
        }
    }

    @Test
    void idleSourcesAreForgotten() {
        for (int i = 0; i < 100; i++) {
            limiter.admit("10.0.0." + i);
        }
        assertEquals(100, limiter.tracked());
        clock.addAndGet(TimeUnit.SECONDS.toNanos(120));
        for (int i = 0; i < 4096; i++) {
            limiter.admit("10.1.0.1");
        }
        assertTrue(limiter.tracked() <= 2, "tracked " + limiter.tracked());
    }

    @Test
    void offByDefaultAndSettingsAreChecked() {
        SourceLimiter off = SourceLimiter.from(new Properties());
        assertFalse(off.enabled());
        for (int i = 0; i < 10_000; i++) {
            assertTrue(off.admit("192.0.2.1"));
        }
        Properties bad = new Properties();
        bad.setProperty(SourceLimiter.MAX_CPS_PER_SOURCE, "lots");
        assertEquals("dialroute.flood.max-cps-per-source must be a number >= 0, was 'lots'",
                assertThrows(IllegalArgumentException.class, () -> SourceLimiter.from(bad)).getMessage());
    }
}
