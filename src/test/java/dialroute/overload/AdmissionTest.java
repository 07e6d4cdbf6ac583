package dialroute.overload;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Properties;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class AdmissionTest {
    private static final long MS = 1_000_000L;

    @Test
    void rateLimitAdmitsItsBurstAtOnceThenItsPace() {
        RateLimit limit = new RateLimit(1000, 10); // one per ms, 10 at once
        int admitted = 0;
        for (int i = 0; i < 50; i++) {
            if (limit.tryAcquire(0)) {
                admitted++;
            }
        }
        assertEquals(10, admitted);
        assertFalse(limit.tryAcquire(MS / 2));
        assertTrue(limit.tryAcquire(MS));
        assertFalse(limit.tryAcquire(MS));
    }

    @Test
    void rateLimitHoldsTheAverageOverASecondOfOverload() {
        RateLimit limit = new RateLimit(900, 180);
        int admitted = 0;
        // 2000 attempts per second, evenly spread, for one second
        for (int i = 0; i < 2000; i++) {
            if (limit.tryAcquire(i * 500_000L)) {
                admitted++;
            }
        }
        assertTrue(admitted >= 900 && admitted <= 900 + 180, "admitted " + admitted);
    }

    @Test
    void idleTimeDoesNotBankMoreThanTheBurst() {
        RateLimit limit = new RateLimit(100, 5);
        long later = 60_000 * MS;
        int admitted = 0;
        for (int i = 0; i < 100; i++) {
            if (limit.tryAcquire(later)) {
                admitted++;
            }
        }
        assertEquals(5, admitted);
    }

    @Test
    void zeroMeansNoLimit() {
        RateLimit limit = new RateLimit(0, 1);
        for (int i = 0; i < 10_000; i++) {
            assertTrue(limit.tryAcquire(0));
        }
    }

    @Test
    void proxiedCallsAreHeldToTheirLimitAndRefusalsCounted() {
        AtomicLong now = new AtomicLong();
        Admission admission = new Admission(10, 100, 7, now::get); // burst 1
        assertTrue(admission.admitProxiedCall());
        assertFalse(admission.admitProxiedCall());
        assertFalse(admission.admitProxiedCall());
        assertEquals(2, admission.shedCount());
        assertEquals(7, admission.retryAfterSeconds());
        now.addAndGet(100 * MS);
        assertTrue(admission.admitProxiedCall());
    }

    @Test
    void settingsComeFromPropertiesWithDefaults() {
        Admission defaults = Admission.from(new Properties());
        assertEquals(Admission.DEFAULT_RETRY_AFTER, defaults.retryAfterSeconds());
        Properties p = new Properties();
        p.setProperty(Admission.RETRY_AFTER, "12");
        p.setProperty(Admission.MAX_PROXY_CPS, "0");
        Admission custom = Admission.from(p);
        assertEquals(12, custom.retryAfterSeconds());
        for (int i = 0; i < 1000; i++) {
            assertTrue(custom.admitProxiedCall());
        }
        p.setProperty(Admission.MAX_PROXY_CPS, "lots");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Admission.from(p));
        assertEquals("dialroute.overload.max-proxy-cps must be a number >= 0, was 'lots'", e.getMessage());
    }
}
