package dialroute.overload;

import java.util.Properties;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * Admission control for new calls: above the rate the server handles cleanly, a new INVITE is
 * answered {@code 503 Service Unavailable} with {@code Retry-After} instead of being routed, so the
 * calls already admitted complete rather than everything collapsing into retransmissions.
 *
 * <p>Two token buckets, checked after the (cheap) dial-plan lookup so each kind of call is held to
 * what it costs: proxied calls (13 messages through the server, transaction state on both legs) have
 * their own, lower rate; every new INVITE (redirects, rejects and proxied calls) counts against the
 * overall rate. Retransmissions never get here (the SIP stack absorbs them in its transaction
 * layer), nor do ACK, BYE or CANCEL of calls in progress.
 *
 * <p>Settings (system properties, read once at start):
 * <ul>
 *   <li>{@code dialroute.overload.max-proxy-cps}: new proxied calls per second (default 900: 10 %
 *       under the highest clean proxy rate measured on a 2-core box, bench/RESULTS.md; at exactly
 *       that rate a hiccup tipped the server into retransmissions); 0 = no limit</li>
 *   <li>{@code dialroute.overload.max-cps}: all new INVITEs per second (default 4500, 10 % under the
 *       highest clean redirect rate there); 0 = no limit</li>
 *   <li>{@code dialroute.overload.burst-ms}: how far ahead of the pace a burst may run, in
 *       milliseconds of the allowed rate (default 200)</li>
 *   <li>{@code dialroute.overload.retry-after}: seconds in Retry-After (default 5)</li>
 * </ul>
 */
public final class Admission {
    public static final String MAX_PROXY_CPS = "dialroute.overload.max-proxy-cps";
    public static final String MAX_CPS = "dialroute.overload.max-cps";
    public static final String BURST_MS = "dialroute.overload.burst-ms";
    public static final String RETRY_AFTER = "dialroute.overload.retry-after";

    static final double DEFAULT_MAX_PROXY_CPS = 900;
    static final double DEFAULT_MAX_CPS = 4500;
    static final int DEFAULT_BURST_MS = 200;
    static final int DEFAULT_RETRY_AFTER = 5;

    /** What kind of call asks to be admitted. */
    public enum Kind {
        /** forwarded through dialroute: the expensive kind */
        PROXY,
        /** answered by dialroute itself (redirect, reject) */
        ANSWER
    }

    private final RateLimit proxyRate;
    private final RateLimit allRate;
    private final int retryAfterSeconds;
    private final LongSupplier nanoClock;
    private final AtomicLong shed = new AtomicLong();

    public Admission(double maxProxyCps, double maxCps, int burstMs, int retryAfterSeconds, LongSupplier nanoClock) {
        this.proxyRate = new RateLimit(maxProxyCps, burst(maxProxyCps, burstMs));
        this.allRate = new RateLimit(maxCps, burst(maxCps, burstMs));
        this.retryAfterSeconds = Math.max(0, retryAfterSeconds);
        this.nanoClock = nanoClock;
    }

    /** The settings from system properties (see the class comment), with the defaults for the rest. */
    public static Admission fromSystemProperties() {
        return from(System.getProperties());
    }

    public static Admission from(Properties p) {
        return new Admission(
                number(p, MAX_PROXY_CPS, DEFAULT_MAX_PROXY_CPS),
                number(p, MAX_CPS, DEFAULT_MAX_CPS),
                (int) number(p, BURST_MS, DEFAULT_BURST_MS),
                (int) number(p, RETRY_AFTER, DEFAULT_RETRY_AFTER),
                System::nanoTime);
    }

    /** True: route the call. False: answer 503 with {@link #retryAfterSeconds()}. */
    public boolean admit(Kind kind) {
        long now = nanoClock.getAsLong();
        // The proxy bucket first: a proxied call refused there must not use up an overall token.
        if (kind == Kind.PROXY && !proxyRate.tryAcquire(now)) {
            shed.incrementAndGet();
            return false;
        }
        if (!allRate.tryAcquire(now)) {
            shed.incrementAndGet();
            return false;
        }
        return true;
    }

    public int retryAfterSeconds() {
        return retryAfterSeconds;
    }

    /** New INVITEs refused so far. */
    public long shedCount() {
        return shed.get();
    }

    @Override
    public String toString() {
        return "proxied calls " + proxyRate + ", all new calls " + allRate + ", above that 503 with Retry-After: "
                + retryAfterSeconds;
    }

    private static int burst(double perSecond, int burstMs) {
        return (int) Math.max(1, Math.round(perSecond * Math.max(0, burstMs) / 1000.0));
    }

    static double number(Properties p, String key, double fallback) {
        String v = p.getProperty(key);
        if (v == null || v.isBlank()) {
            return fallback;
        }
        try {
            double d = Double.parseDouble(v.trim());
            if (d < 0 || Double.isNaN(d) || Double.isInfinite(d)) {
                throw new IllegalArgumentException(key + " must be a number >= 0, was '" + v + "'");
            }
            return d;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(key + " must be a number >= 0, was '" + v + "'", e);
        }
    }
}
