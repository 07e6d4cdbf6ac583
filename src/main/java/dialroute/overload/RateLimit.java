package dialroute.overload;

import java.util.concurrent.atomic.AtomicLong;

/**
 * A lock-free token bucket (the generic cell rate algorithm): at most {@code perSecond} admissions
 * per second on average, with bursts of up to {@code burst} admissions above that pace. One CAS
 * per call; no thread, no timer. A rate of 0 or less admits everything.
 */
public final class RateLimit {
    private final long intervalNanos;
    private final long toleranceNanos;
    /** Theoretical arrival time of the next admission at exactly the allowed pace. */
    private final AtomicLong nextNanos = new AtomicLong(Long.MIN_VALUE);
    private final double perSecond;

    public RateLimit(double perSecond, int burst) {
        this.perSecond = perSecond;
        if (perSecond <= 0) {
            intervalNanos = 0;
            toleranceNanos = 0;
        } else {
            intervalNanos = Math.max(1, Math.round(1e9 / perSecond));
            toleranceNanos = intervalNanos * Math.max(0, burst - 1L);
        }
    }

    public boolean unlimited() {
        return intervalNanos == 0;
    }

    public double perSecond() {
        return perSecond;
    }

    /** True and one admission used up, or false when the pace (plus burst) is exceeded. */
    public boolean tryAcquire(long nowNanos) {
        if (intervalNanos == 0) {
            return true;
        }
        while (true) {
            long tat = nextNanos.get();
            long start = tat == Long.MIN_VALUE || tat - nowNanos < 0 ? nowNanos : tat;
            if (start - nowNanos > toleranceNanos) {
                return false;
            }
            if (nextNanos.compareAndSet(tat, start + intervalNanos)) {
                return true;
            }
        }
    }

    @Override
    public String toString() {
        return unlimited() ? "unlimited" : String.format("%.0f/s (burst %d)", perSecond, toleranceNanos / intervalNanos + 1);
    }
}
