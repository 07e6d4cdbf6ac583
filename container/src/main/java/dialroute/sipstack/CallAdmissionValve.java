package dialroute.sipstack;

import gov.nist.javax.sip.Utils;
import gov.nist.javax.sip.header.RetryAfter;
import gov.nist.javax.sip.message.SIPRequest;
import gov.nist.javax.sip.message.SIPResponse;
import gov.nist.javax.sip.stack.MessageChannel;
import gov.nist.javax.sip.stack.SIPMessageValve;
import gov.nist.javax.sip.stack.SIPTransactionStack;

import java.lang.management.ManagementFactory;
import java.math.BigDecimal;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Level;
import java.util.logging.Logger;

import javax.management.JMException;
import javax.management.ObjectName;
import javax.sip.SipStack;
import javax.sip.message.Request;
import javax.sip.message.Response;

/**
 * Call admission control for all new calls: at most {@code dialroute.overload.max-cps} new INVITEs
 * per second go on, to {@link StatelessAnswerValve} and the container; the rest are answered {@code 503 Service Unavailable} with
 * {@code Retry-After} statelessly, before any transaction, SIP session or application session
 * exists. Installed in {@code gov.nist.javax.sip.SIP_MESSAGE_VALVE} (conf/mss-sip-stack.properties).
 *
 * <p>Why here and not in the application: a call refused by the servlet costs the server about as
 * much as a redirected one (server transaction under the stack-wide lock, SIP and application
 * session, the container's dispatch, Timer J), so an application limit could not keep the server
 * out of collapse once the offered rate passed twice what it can redirect: refusing the excess took
 * the capacity the admitted calls needed, and everything dissolved into retransmissions
 * (bench/RESULTS.md). Here a refusal is one response built from the parsed request and sent back
 * as the stack sends its own ({@link StatelessReplies#send}), which costs what a redirect answered
 * by {@link StatelessAnswerValve} does:
 * above the limit the server does no more work per call than below it. The application keeps its own, lower limit for proxied calls
 * ({@code dialroute.overload.max-proxy-cps}), which needs the dial plan's decision; a proxied call
 * it refuses has already used one of this valve's admissions, which is right, since that refusal
 * costs the container a call's worth of work too. The per-source flood limit
 * ({@code dialroute.flood.*}) is also the application's and comes after this one, so a single
 * source sending more than this limit uses up admissions other callers would have had; before,
 * such a flood collapsed the server instead.
 *
 * <p>What is never refused:
 * <ul>
 *   <li>a retransmission of an INVITE whose server transaction exists (also one still pending in
 *       the stack), or that {@link StatelessAnswerValve} answered a moment ago: the stack answers
 *       it from that transaction or that answer, and refusing it would give one call two final
 *       answers. A retransmission that arrives while its original is still between this
 *       valve and the stack's transaction table (the server would have to be over 500 ms behind,
 *       which this limit exists to prevent) is judged like a new INVITE;</li>
 *   <li>any request with a To tag (re-INVITEs and everything else inside a call), and every method
 *       but INVITE: BYE, CANCEL and ACK end calls and free the server;</li>
 *   <li>an ACK is never answered (RFC 3261 17.2.3). The ACK a caller sends for this valve's 503
 *       (RFC 3261 17.1.1.3: same branch, the 503's To tag) has no transaction to match; it is
 *       recognised by the To tag this valve chose and dropped here, instead of reaching the
 *       container as a stray ACK.</li>
 * </ul>
 *
 * <p>Settings (system properties, read once when the stack starts; the same names the application
 * reads for its proxied-call limit):
 * <ul>
 *   <li>{@code dialroute.overload.max-cps}: all new INVITEs per second (default 27000: 10 % under
 *       the highest clean rate of redirects answered by {@link StatelessAnswerValve}, measured on a
 *       2-core box, bench/RESULTS.md); 0 = no limit</li>
 *   <li>{@code dialroute.overload.burst-ms}: how far ahead of that pace a burst may run, in
 *       milliseconds of the rate (default 200)</li>
 *   <li>{@code dialroute.overload.retry-after}: seconds in Retry-After (default 5)</li>
 *   <li>{@code dialroute.overload.max-queue-wait-ms}: a new INVITE that waited longer than this in
 *       the UDP receive queue is refused too, whatever the rate (default 100: far above the few ms
 *       it waits when the server keeps up, and under T1, 500 ms, when callers retransmit); 0 = off.
 *       Only UDP has that queue; TCP and TLS connections are read by their own threads.</li>
 * </ul>
 * A value that is not a number {@code >= 0} is logged as an error and the limit is off: the stack
 * would install a valve whose start failed anyway, and one that refused everything would stop
 * the service.
 *
 * <p>The refusals are counted in JMX ({@link CallAdmissionMXBean}), from where dialroute's metrics
 * report them, and logged (WARNING, at most every 10 s).
 */
public final class CallAdmissionValve implements SIPMessageValve, CallAdmissionMXBean {
    public static final String MAX_CPS = "dialroute.overload.max-cps";
    public static final String BURST_MS = "dialroute.overload.burst-ms";
    public static final String RETRY_AFTER = "dialroute.overload.retry-after";
    public static final String MAX_QUEUE_WAIT_MS = "dialroute.overload.max-queue-wait-ms";

    static final double DEFAULT_MAX_CPS = 27000;
    static final double DEFAULT_MAX_QUEUE_WAIT_MS = 100;
    static final double DEFAULT_BURST_MS = 200;
    static final double DEFAULT_RETRY_AFTER = 5;

    /**
     * Start of the To tag of every 503 this valve sends; the rest is the stack's random tag. The
     * container's own tags are hex digits and underscores, so no dialog's tag starts like this.
     */
    static final String TAG_PREFIX = "overload-";

    /** How often, at most, a refusing valve says so in the log. */
    private static final long REPORT_EVERY_NANOS = 10_000_000_000L;

    // The "dialroute" java.util.logging logger: the application writes its admission settings to
    // the same one, so both halves of the overload settings appear together in catalina.out.
    private static final Logger LOG = Logger.getLogger("dialroute");

    private SIPTransactionStack stack;
    private ObjectName jmxName;
    private double perSecond;
    private String limit = "unlimited"; // for the log
    private long intervalNanos; // 0: no limit
    private long toleranceNanos;
    private int retryAfterSeconds;
    private long maxQueueWaitMillis; // 0: no limit
    /**
     * Generic cell rate algorithm (the application's dialroute.overload.RateLimit does the same; the
     * two jars are built and loaded apart): when the next INVITE is due at exactly the allowed pace.
     */
    private final AtomicLong nextDueNanos = new AtomicLong(Long.MIN_VALUE);
    private final AtomicLong refused = new AtomicLong();
    private final AtomicLong reportedRefused = new AtomicLong();
    private final AtomicLong reportedAtNanos = new AtomicLong(System.nanoTime() - REPORT_EVERY_NANOS);

    @Override
    public void init(SipStack sipStack) {
        stack = (SIPTransactionStack) sipStack;
        register(sipStack.getStackName());
        Properties settings = System.getProperties();
        double burstMs;
        double retryAfter;
        try {
            perSecond = number(settings, MAX_CPS, DEFAULT_MAX_CPS);
            burstMs = number(settings, BURST_MS, DEFAULT_BURST_MS);
            retryAfter = number(settings, RETRY_AFTER, DEFAULT_RETRY_AFTER);
            maxQueueWaitMillis = Math.round(number(settings, MAX_QUEUE_WAIT_MS, DEFAULT_MAX_QUEUE_WAIT_MS));
        } catch (IllegalArgumentException e) {
            perSecond = 0;
            maxQueueWaitMillis = 0;
            LOG.severe("dialroute: overload settings: " + e.getMessage() + "; new calls are NOT limited");
            return;
        }
        retryAfterSeconds = (int) Math.min(Integer.MAX_VALUE, retryAfter);
        if (perSecond > 0) {
            intervalNanos = Math.max(1, Math.round(1e9 / perSecond));
            long burst = Math.max(1, Math.round(perSecond * burstMs / 1000.0));
            toleranceNanos = intervalNanos * (burst - 1);
            limit = BigDecimal.valueOf(perSecond).stripTrailingZeros().toPlainString() + "/s";
            LOG.info("dialroute: admission limit (SIP stack): all new calls " + limit + " (burst " + burst
                    + "), above that 503 with Retry-After: " + retryAfterSeconds);
        } else {
            LOG.info("dialroute: admission limit (SIP stack): all new calls unlimited");
        }
        LOG.info(maxQueueWaitMillis > 0
                ? "dialroute: admission limit (SIP stack): new calls whose INVITE waited over " + maxQueueWaitMillis
                        + " ms in the UDP receive queue get 503 with Retry-After: " + retryAfterSeconds
                : "dialroute: admission limit (SIP stack): no limit on the UDP receive queue's wait");
    }

    @Override
    public boolean processRequest(SIPRequest request, MessageChannel channel) {
        if (StatelessReplies.acknowledges(request, TAG_PREFIX)) {
            return false;
        }
        if (intervalNanos == 0 && maxQueueWaitMillis == 0 || request.getToTag() != null
                || !Request.INVITE.equals(request.getMethod())) {
            return true;
        }
        String transactionId = request.getTransactionId();
        if (stack.findTransaction(transactionId, true) != null || stack.findPendingTransaction(transactionId) != null
                || StatelessAnswerValve.answeredRecently(transactionId)) {
            // A retransmission: the stack answers it from its transaction, or StatelessAnswerValve
            // with the answer it gave the first copy.
            return true;
        }
        long now = System.nanoTime();
        // Behind first: a call refused for that must not use up one of the rate's admissions.
        boolean admitted = !behind() && (intervalNanos == 0 || admit(now));
        if (!admitted) {
            refuse(request, channel);
        }
        report(now);
        return admitted;
    }

    /**
     * Whether this INVITE waited longer than the limit in the UDP receive queue: the server is
     * behind, whatever the rate. Admitting more calls then only adds to what every call in progress
     * waits for, until callers and callees retransmit and the load doubles; refusing new ones lets
     * the calls in progress finish and the queue drain. This also covers what a fixed rate cannot
     * know: a cold server whose code is not compiled yet, a long GC pause, a neighbour on the same
     * cores.
     */
    private boolean behind() {
        return maxQueueWaitMillis > 0 && ReceiveQueueWait.ofCurrentMessage() > maxQueueWaitMillis;
    }

    /** One admission used up, or false when the pace plus the burst is exceeded. One CAS, no lock. */
    private boolean admit(long now) {
        while (true) {
            long due = nextDueNanos.get();
            long start = due == Long.MIN_VALUE || due - now < 0 ? now : due;
            if (start - now > toleranceNanos) {
                return false;
            }
            if (nextDueNanos.compareAndSet(due, start + intervalNanos)) {
                return true;
            }
        }
    }

    private void refuse(SIPRequest request, MessageChannel channel) {
        // Counted before the answer leaves, so whoever sees the 503 also sees it counted.
        refused.incrementAndGet();
        try {
            SIPResponse response = request.createResponse(Response.SERVICE_UNAVAILABLE, "Service Unavailable");
            response.getTo().setTag(TAG_PREFIX + Utils.getInstance().generateTag());
            RetryAfter retryAfter = new RetryAfter();
            retryAfter.setRetryAfter(retryAfterSeconds);
            response.setHeader(retryAfter);
            StatelessReplies.send(stack, response, channel);
        } catch (Exception e) {
            // The caller retransmits and is judged again; nothing else to do with a refused call.
            LOG.log(Level.FINE, "could not send 503 for a refused call", e);
        }
    }

    /**
     * Logs the refusals since the last report, at most every 10 s; called for admitted calls too,
     * so the last refusals of an overload are reported once calls come in again.
     */
    private void report(long now) {
        long count = refused.get();
        long last = reportedAtNanos.get();
        if (count != reportedRefused.get() && now - last >= REPORT_EVERY_NANOS
                && reportedAtNanos.compareAndSet(last, now)) {
            long since = count - reportedRefused.getAndSet(count);
            LOG.warning(() -> "dialroute: overload: " + since + " new calls answered 503 since the last report (limit "
                    + limit + (maxQueueWaitMillis > 0 ? " or " + maxQueueWaitMillis + " ms behind" : "") + ", " + count + " in all)");
        }
    }

    @Override
    public long getRefusedCalls() {
        return refused.get();
    }

    @Override
    public double getMaxCallsPerSecond() {
        return perSecond;
    }

    @Override
    public long getMaxQueueWaitMillis() {
        return maxQueueWaitMillis;
    }

    /** One name per stack: a JVM may run more than one (the container module's tests do). */
    private void register(String stackName) {
        try {
            ObjectName name = new ObjectName("dialroute:type=CallAdmission,stack=" + ObjectName.quote(String.valueOf(stackName)));
            ManagementFactory.getPlatformMBeanServer().registerMBean(this, name);
            jmxName = name;
        } catch (JMException e) {
            // Refusing calls matters more than counting them: go on without the JMX view.
            LOG.warning("dialroute: refused calls will not appear in the metrics: " + e);
        }
    }

    static double number(Properties p, String key, double fallback) {
        String v = p.getProperty(key);
        if (v == null || v.isBlank()) {
            return fallback;
        }
        double d;
        try {
            d = Double.parseDouble(v.trim());
        } catch (NumberFormatException e) {
            d = Double.NaN;
        }
        if (!(d >= 0) || Double.isInfinite(d)) {
            throw new IllegalArgumentException(key + " must be a number >= 0, was '" + v + "'");
        }
        return d;
    }

    @Override
    public boolean processResponse(Response response, MessageChannel channel) {
        return true;
    }

    @Override
    public void destroy() {
        if (jmxName != null) {
            try {
                ManagementFactory.getPlatformMBeanServer().unregisterMBean(jmxName);
            } catch (JMException e) {
                // already gone
            }
            jmxName = null;
        }
    }
}
