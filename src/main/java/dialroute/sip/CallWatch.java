package dialroute.sip;

import dialroute.calllog.CallRecord;
import dialroute.calllog.JsonCallLog;
import dialroute.dialplan.Action;
import dialroute.dialplan.Decision;
import dialroute.dialplan.Failover;
import dialroute.dialplan.Hop;
import dialroute.dialplan.RoutingEvents;
import dialroute.dialplan.Strategy;
import java.time.Duration;
import java.util.BitSet;
import java.util.List;
import javax.servlet.sip.ProxyBranch;
import javax.servlet.sip.SipServletRequest;
import javax.servlet.sip.SipServletResponse;

/**
 * What one proxied call has done so far, kept on its original request, so its responses can be
 * told to {@link RoutingEvents}: which destinations were tried, which answered what, when the call
 * moved on, and how long the caller waited for its final answer. Responses of one call may arrive
 * on different threads, hence the synchronization.
 */
final class CallWatch {
    static final String ATTRIBUTE = "dialroute.call";

    private final Decision decision;
    private final List<Hop> hops;
    private final List<String> branchUris;
    private final long startedNanos;
    private final RoutingEvents events;
    private final JsonCallLog callLog;
    private final CallRecord record;
    private final BitSet attempted = new BitSet();
    private final BitSet answered = new BitSet();
    private boolean completed;

    CallWatch(Decision decision, List<String> branchUris, long startedNanos, RoutingEvents events, JsonCallLog callLog,
              CallRecord record) {
        this.callLog = callLog;
        this.record = record;
        this.decision = decision;
        this.hops = decision.hops();
        this.branchUris = branchUris;
        this.startedNanos = startedNanos;
        this.events = events;
    }

    static CallWatch of(SipServletResponse response) {
        SipServletRequest original = response.getProxy() == null ? null : response.getProxy().getOriginalRequest();
        return original == null ? null : (CallWatch) original.getAttribute(ATTRIBUTE);
    }

    /**
     * When this call moves on to its next target: the rule's failover policy for a search over
     * several targets, or null for a fork or a single target, where there is no next one to stop.
     */
    Failover searchFailover() {
        return decision.action() instanceof Action.ProxyTo p && p.strategy() != Strategy.PARALLEL && hops.size() > 1
                ? p.failover() : null;
    }

    /** The first {@code count} hops are on their way (all of a parallel fork, the first of a search). */
    synchronized void started(int count) {
        for (int i = 0; i < count; i++) {
            attempt(i);
        }
    }

    /** A response (provisional or final) came from a branch. */
    synchronized void branchResponded(SipServletResponse response) {
        int index = indexOf(response.getProxyBranch());
        if (index < 0) {
            return;
        }
        if (!attempted.get(index)) {
            // A later target of a search speaks: the ones before it failed or stayed silent; a
            // silent one is cancelled by the container without telling the application.
            int previous = -1;
            for (int i = 0; i < index; i++) {
                if (attempted.get(i)) {
                    previous = i;
                    if (!answered.get(i)) {
                        answered.set(i);
                        events.answered(hops.get(i), SipServletResponse.SC_REQUEST_TIMEOUT);
                    }
                }
            }
            events.failedOver(decision, previous < 0 ? null : hops.get(previous));
            attempt(index);
        }
        if (response.getStatus() >= 200 && !answered.get(index)) {
            answered.set(index);
            events.answered(hops.get(index), response.getStatus());
        }
    }

    /** The caller's final response is going out. */
    synchronized void completed(int status) {
        if (!completed) {
            completed = true;
            Duration setup = Duration.ofNanos(System.nanoTime() - startedNanos);
            events.completed(decision, status, setup);
            callLog.callCompleted(record, status, setup);
        }
    }

    private void attempt(int index) {
        attempted.set(index);
        events.attempted(hops.get(index));
    }

    private int indexOf(ProxyBranch branch) {
        if (branch == null || branch.getRequest() == null) {
            return -1;
        }
        return branchUris.indexOf(branch.getRequest().getRequestURI().toString());
    }
}
