package dialroute.sip;

import dialroute.calllog.CallRecord;
import dialroute.calllog.JsonCallLog;
import dialroute.dialplan.Action;
import dialroute.dialplan.ActiveDialPlan;
import dialroute.dialplan.Call;
import dialroute.dialplan.Decision;
import dialroute.dialplan.IpLiteral;
import dialroute.dialplan.RoutingEvents;
import dialroute.health.DestinationHealth;
import dialroute.overload.Admission;
import dialroute.overload.SourceLimiter;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/**
 * How a new call is taken in, wherever it arrives (the SIP stack's stateless path,
 * {@link StatelessAnswers}, or the servlet): the per-source flood limit, one lookup in the plan
 * serving now, the proxied-call limit; and how a call dialroute answers itself is counted when it
 * completes. A refusal is counted (and a shed call logged) here; the caller only sends the 503.
 */
final class NewCalls {

    /** What became of a new call. */
    sealed interface Intake permits Refused, Routed {
    }

    /** Refused by a limit: answer 503 with this Retry-After. Already counted. */
    record Refused(int retryAfterSeconds) implements Intake {
    }

    /** Routed by the plan; {@code arrivedNanos} ({@link System#nanoTime()}) is for the setup time. */
    record Routed(Decision decision, CallRecord record, long arrivedNanos) implements Intake {
    }

    private final ActiveDialPlan plans;
    private final SourceLimiter flood;
    private final Admission admission;
    private final RoutingEvents events;
    private final JsonCallLog callLog;
    private final DestinationHealth health;
    private final Clock clock;

    NewCalls(ActiveDialPlan plans, SourceLimiter flood, Admission admission, RoutingEvents events, JsonCallLog callLog,
            DestinationHealth health, Clock clock) {
        this.plans = plans;
        this.flood = flood;
        this.admission = admission;
        this.events = events;
        this.callLog = callLog;
        this.health = health;
        this.clock = clock;
    }

    Intake take(String dialled, String caller, String source, String callId) {
        long arrived = System.nanoTime();
        if (!flood.admit(source)) {
            // Checked before the lookup: a flooding source costs as little as possible.
            events.floodRefused();
            return new Refused((int) flood.retryAfterSeconds(source));
        }
        Call call = new Call(dialled, caller, IpLiteral.parse(source).orElse(null), clock.instant());
        Decision decision = plans.current().route(call, ThreadLocalRandom.current(), health);
        CallRecord record = CallRecord.of(callId, call, decision);
        // Admission after the lookup (microseconds): a proxied call costs several times what an
        // answered one does, so it has its own, lower rate limit (all new calls are held to theirs
        // in the SIP stack, before they get here). Above it: 503 + Retry-After, and the calls
        // already admitted keep the server's capacity.
        if (decision.action() instanceof Action.ProxyTo && !admission.admitProxiedCall()) {
            events.shed(decision);
            callLog.callShed(record, Duration.ofNanos(System.nanoTime() - arrived));
            return new Refused(admission.retryAfterSeconds());
        }
        return new Routed(decision, record, arrived);
    }

    /**
     * A call dialroute answered itself is complete: counted and logged, before the answer goes out
     * (once the caller has it, the call is over for everyone watching, including whoever switches
     * the call log).
     */
    void answered(Routed call, int status) {
        Duration setup = Duration.ofNanos(System.nanoTime() - call.arrivedNanos());
        events.completed(call.decision(), status, setup);
        callLog.callCompleted(call.record(), status, setup);
    }
}
