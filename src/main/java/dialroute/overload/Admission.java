package dialroute.overload;

import java.util.Properties;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * Admission control for new proxied calls: above the rate the server proxies cleanly, a new INVITE
 * the dial plan would proxy is answered {@code 503 Service Unavailable} with {@code Retry-After}
 * instead, so the calls already admitted complete rather than everything collapsing into
 * retransmissions.
 *
 * <p>A token bucket checked after the (cheap) dial-plan lookup, since only the plan's decision
 * says whether a call is proxied: a proxied call costs several times what an answered one does
 * (13 messages through the server, transaction state on both legs). Retransmissions never get
 * here (the SIP stack absorbs them in its transaction layer), nor do ACK, BYE or CANCEL of calls
 * in progress.
 *
 * <p>The limit on <em>all</em> new INVITEs is not here: it is enforced in the SIP stack, before
 * any transaction or session exists ({@code dialroute.sipstack.CallAdmissionValve},
 * {@code dialroute.overload.max-cps}), because a 503 sent from here costs the server about as much
 * as a redirect and could not keep it out of collapse at twice the redirect rate it handles.
 *
 * <p>Settings (system properties, read once at start):
 * <ul>
 *   <li>{@code dialroute.overload.max-proxy-cps}: new proxied calls per second (default 3500: on a
 *       2-core box, clean in each of the six ladders run since the UDP reader change and 4,000 in
 *       none, bench/RESULTS.md; it sits at the knee, not under it, so a hiccup at or below it is
 *       left to the queue-wait limit, which refused 330 calls as behind in one 3,000 step);
 *       0 = no limit</li>
 *   <li>{@code dialroute.overload.burst-ms}: how far ahead of the pace a burst may run, in
 *       milliseconds of the allowed rate (default 200; the SIP stack's limit uses the same)</li>
 *   <li>{@code dialroute.overload.retry-after}: seconds in Retry-After (default 5; the same)</li>
 * </ul>
 */
public final class Admission {
    public static final String MAX_PROXY_CPS = "dialroute.overload.max-proxy-cps";
    public static final String BURST_MS = "dialroute.overload.burst-ms";
    public static final String RETRY_AFTER = "dialroute.overload.retry-after";

    static final double DEFAULT_MAX_PROXY_CPS = 3500;
    static final int DEFAULT_BURST_MS = 200;
    static final int DEFAULT_RETRY_AFTER = 5;

    private final RateLimit proxyRate;
    private final int retryAfterSeconds;
    private final LongSupplier nanoClock;
    private final AtomicLong shed = new AtomicLong();

    public Admission(double maxProxyCps, int burstMs, int retryAfterSeconds, LongSupplier nanoClock) {
        this.proxyRate = new RateLimit(maxProxyCps, burst(maxProxyCps, burstMs));
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
                (int) number(p, BURST_MS, DEFAULT_BURST_MS),
                (int) number(p, RETRY_AFTER, DEFAULT_RETRY_AFTER),
                System::nanoTime);
    }

    /** True: proxy the call. False: answer 503 with {@link #retryAfterSeconds()}. */
    public boolean admitProxiedCall() {
        if (!proxyRate.tryAcquire(nanoClock.getAsLong())) {
            shed.incrementAndGet();
            return false;
        }
        return true;
    }

    public int retryAfterSeconds() {
        return retryAfterSeconds;
    }

    /** New proxied calls refused so far. */
    public long shedCount() {
        return shed.get();
    }

    @Override
    public String toString() {
        return "proxied calls " + proxyRate + ", above that 503 with Retry-After: " + retryAfterSeconds
                + " (all new calls: in the SIP stack)";
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
