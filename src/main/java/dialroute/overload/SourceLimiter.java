package dialroute.overload;

import java.util.Iterator;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * Flood protection per source address, in the manner of Kamailio's pike: each address may start
 * so many new calls per second (with a burst); one that goes over is banned for a while, and all
 * its new INVITEs are refused until the ban ends, while every other source goes on being served.
 *
 * <p>Settings (system properties, read once at start):
 * <ul>
 *   <li>{@code dialroute.flood.max-cps-per-source}: new INVITEs per second one address may send
 *       (default 0 = off: a trunk from one PBX legitimately sends everything from one address, so
 *       the admin sets this knowing the traffic)</li>
 *   <li>{@code dialroute.flood.burst}: how many may come at once (default: one second's worth)</li>
 *   <li>{@code dialroute.flood.ban-seconds}: how long an offender is refused (default 30)</li>
 * </ul>
 * Memory is bounded: at most {@value #MAX_SOURCES} addresses are tracked, idle ones are
 * forgotten, and when the table is full new addresses are not limited (the overall admission
 * limit still holds) rather than evicting a known offender.
 */
public final class SourceLimiter {
    public static final String MAX_CPS_PER_SOURCE = "dialroute.flood.max-cps-per-source";
    public static final String BURST = "dialroute.flood.burst";
    public static final String BAN_SECONDS = "dialroute.flood.ban-seconds";
    static final int MAX_SOURCES = 100_000;
    /** Sweep idle entries every this many checks: cheap on average, bounded in between. */
    private static final int SWEEP_EVERY = 4096;

    private final double perSecond;
    private final int burst;
    private final long banNanos;
    private final LongSupplier nanoClock;
    private final Map<String, Source> sources = new ConcurrentHashMap<>();
    private final AtomicLong checks = new AtomicLong();
    private final AtomicLong refused = new AtomicLong();

    private static final class Source {
        final RateLimit rate;
        volatile long bannedUntil;
        volatile long lastSeen;

        Source(double perSecond, int burst) {
            rate = new RateLimit(perSecond, burst);
        }
    }

    public SourceLimiter(double perSecond, int burst, long banSeconds, LongSupplier nanoClock) {
        this.perSecond = perSecond;
        this.burst = Math.max(1, burst);
        this.banNanos = TimeUnit.SECONDS.toNanos(banSeconds);
        this.nanoClock = nanoClock;
    }

    public static SourceLimiter fromSystemProperties() {
        return from(System.getProperties());
    }

    public static SourceLimiter from(Properties p) {
        double cps = Admission.number(p, MAX_CPS_PER_SOURCE, 0);
        int burst = (int) Admission.number(p, BURST, Math.max(1, Math.ceil(cps)));
        long ban = (long) Admission.number(p, BAN_SECONDS, 30);
        return new SourceLimiter(cps, burst, ban, System::nanoTime);
    }

    public boolean enabled() {
        return perSecond > 0;
    }

    /** True: this source may start a call now. False: refuse it (it is flooding, or banned). */
    public boolean admit(String source) {
        if (!enabled() || source == null) {
            return true;
        }
        long now = nanoClock.getAsLong();
        if (checks.incrementAndGet() % SWEEP_EVERY == 0) {
            sweep(now);
        }
        Source s = sources.get(source);
        if (s == null) {
            if (sources.size() >= MAX_SOURCES) {
                return true;
            }
            s = sources.computeIfAbsent(source, k -> new Source(perSecond, burst));
        }
        s.lastSeen = now;
        if (now - s.bannedUntil < 0) {
            refused.incrementAndGet();
            return false;
        }
        if (!s.rate.tryAcquire(now)) {
            s.bannedUntil = now + banNanos;
            refused.incrementAndGet();
            return false;
        }
        return true;
    }

    /** Seconds until {@code source} may call again, for Retry-After (at least 1). */
    public long retryAfterSeconds(String source) {
        Source s = source == null ? null : sources.get(source);
        long left = s == null ? 0 : s.bannedUntil - nanoClock.getAsLong();
        return Math.max(1, (left + 999_999_999L) / 1_000_000_000L); // rounded up
    }

    /** New INVITEs refused so far. */
    public long refused() {
        return refused.get();
    }

    int tracked() {
        return sources.size();
    }

    private void sweep(long now) {
        long idle = Math.max(banNanos, TimeUnit.SECONDS.toNanos(60));
        for (Iterator<Source> it = sources.values().iterator(); it.hasNext(); ) {
            Source s = it.next();
            if (now - s.lastSeen > idle && now - s.bannedUntil > 0) {
                it.remove();
            }
        }
    }

    @Override
    public String toString() {
        return enabled() ? perSecond + " new calls/s per source address (burst " + burst + "), offenders refused for "
                + TimeUnit.NANOSECONDS.toSeconds(banNanos) + " s" : "off";
    }
}
