package dialroute.sip;

import dialroute.calllog.JsonCallLog;
import dialroute.dialplan.Action;
import dialroute.dialplan.Decision;
import dialroute.dialplan.Failover;
import dialroute.dialplan.Hop;
import dialroute.dialplan.ReasonPhrases;
import dialroute.dialplan.RoutingEvents;
import dialroute.dialplan.Strategy;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.logging.Level;
import java.util.logging.Logger;
import javax.servlet.sip.Address;
import javax.servlet.sip.Proxy;
import javax.servlet.sip.ProxyBranch;
import javax.servlet.sip.ServletParseException;
import javax.servlet.sip.SipFactory;
import javax.servlet.sip.SipServletRequest;
import javax.servlet.sip.SipServletResponse;
import javax.servlet.sip.TooManyHopsException;
import javax.servlet.sip.URI;
import org.mobicents.javax.servlet.sip.ProxyExt;

/**
 * Puts a decision on the wire: one short method per action. Every path ends in exactly one
 * proxy start or one {@code send()}.
 */
final class SipActions {
    private static final Logger LOG = Logger.getLogger("dialroute");

    private final SipFactory factory;
    private final RoutingEvents events;
    private final JsonCallLog callLog;
    private final OwnAddresses ownAddresses;
    private final NewCalls newCalls;

    SipActions(SipFactory factory, RoutingEvents events, JsonCallLog callLog, OwnAddresses ownAddresses, NewCalls newCalls) {
        this.factory = factory;
        this.events = events;
        this.callLog = callLog;
        this.ownAddresses = ownAddresses;
        this.newCalls = newCalls;
    }

    /**
     * @param recordRoutedInStack the SIP stack has put dialroute's Record-Route on the INVITE and
     *                            forwards the call's in-call requests itself; the container's proxy
     *                            must not add another
     */
    void perform(SipServletRequest request, NewCalls.Routed call, boolean recordRoutedInStack) throws IOException {
        Decision decision = call.decision();
        Action action = decision.action();
        try {
            if (action instanceof Action.ProxyTo proxyTo) {
                proxy(request, call, proxyTo, recordRoutedInStack);
            } else if (action instanceof Action.RedirectTo redirectTo) {
                SipServletResponse response = redirect(request, decision.hops(), redirectTo);
                newCalls.answered(call, redirectTo.status());
                response.send();
            } else if (action instanceof Action.Reject reject) {
                SipServletResponse response = request.createResponse(reject.status(), reject.phrase());
                if (reject.retryAfter() != null) {
                    // Every destination is down or disabled: say when trying again makes sense.
                    response.setHeader("Retry-After", Integer.toString(reject.retryAfter()));
                }
                newCalls.answered(call, reject.status());
                response.send();
            }
        } catch (ServletParseException | RuntimeException e) {
            // Targets are validated when the plan loads, so this is a bug or a container refusal;
            // the caller still gets a final answer instead of waiting for Timer B.
            LOG.log(Level.WARNING, "call " + request.getCallId() + ": could not carry out " + decision, e);
            if (!request.isCommitted()) {
                request.createResponse(SipServletResponse.SC_SERVER_INTERNAL_ERROR).send();
            }
        }
    }

    /**
     * A proxy rule whose target is dialroute itself: forwarding would bring the call straight back
     * to the same rule. Answered {@code 482 Loop Detected} (RFC 3261 section 16.3) and logged, as
     * it is a mistake in the plan that every such call would repeat.
     */
    private void refuseLoop(SipServletRequest request, NewCalls.Routed call, Hop looping) throws IOException {
        LOG.warning(() -> "call " + request.getCallId() + ": " + call.decision() + " targets " + looping.target().uri()
                + ", which is dialroute itself; answered 482 Loop Detected. Point the rule at another server.");
        SipServletResponse response = request.createResponse(SipServletResponse.SC_LOOP_DETECTED, ReasonPhrases.of(SipServletResponse.SC_LOOP_DETECTED));
        newCalls.answered(call, SipServletResponse.SC_LOOP_DETECTED);
        response.send();
    }

    private void proxy(SipServletRequest request, NewCalls.Routed call, Action.ProxyTo proxyTo, boolean recordRoutedInStack)
            throws ServletParseException, IOException {
        Decision decision = call.decision();
        List<Hop> hops = decision.hops();
        Optional<Hop> looping = ownAddresses.loopingHop(hops);
        if (looping.isPresent()) {
            refuseLoop(request, call, looping.get());
            return;
        }
        List<URI> destinations = new ArrayList<>(hops.size());
        List<String> branchUris = new ArrayList<>(hops.size());
        for (Hop hop : hops) {
            URI uri = factory.createURI(hop.proxyUri());
            destinations.add(uri);
            branchUris.add(uri.toString());
        }
        Proxy proxy;
        try {
            proxy = request.getProxy();
        } catch (TooManyHopsException e) {
            // Max-Forwards reached 0: forwarding again would feed a loop (RFC 3261 section 16.3).
            request.createResponse(SipServletResponse.SC_TOO_MANY_HOPS, ReasonPhrases.of(SipServletResponse.SC_TOO_MANY_HOPS)).send();
            return;
        }
        // Record-Route keeps ACK, BYE and re-INVITEs of the call passing through dialroute: the
        // container's, or the one the SIP stack has put on already (then the stack forwards them).
        proxy.setRecordRoute(proxyTo.recordRoute() && !recordRoutedInStack);
        // Supervised: responses pass through RoutingServlet.doResponse, which counts them, cancels
        // late-ringing losers of a fork and stops a search on a non-failover failure.
        proxy.setSupervised(true);
        CallWatch watch = new CallWatch(decision, branchUris, call.arrivedNanos(), events, callLog, call.record());
        request.setAttribute(CallWatch.ATTRIBUTE, watch);
        if (proxyTo.strategy() == Strategy.PARALLEL || destinations.size() == 1) {
            // The container relays responses, sends the first 2xx on, cancels the other branches
            // and withholds errors while a branch can still answer (RFC 3261 section 16.7).
            proxy.setParallel(true);
            watch.started(destinations.size());
            proxy.proxyTo(destinations);
            return;
        }
        // Sequential (and weighted, whose order the plan drew): the container moves to the next
        // branch on any failure; dialroute stops it early, in RoutingServlet.doBranchResponse, when
        // a failure is not one of the rule's failover statuses.
        Failover failover = proxyTo.failover();
        proxy.setParallel(false);
        // Must be set before the branches exist: each branch copies it when created. The container
        // counts whole seconds; a target silent that long is cancelled and the next one tried.
        ((ProxyExt) proxy).setProxy1xxTimeout((int) Math.max(1, (failover.provisionalTimeout().toMillis() + 999) / 1000));
        proxy.createProxyBranches(destinations);
        watch.started(1);
        proxy.startProxy();
    }

    /**
     * Called with each final response of a sequential proxy's branch: a failure that is not a
     * failover status ends the search, so the caller gets it instead of a later target's answer.
     */
    static void afterBranchFailure(SipServletResponse response, CallWatch watch) {
        // No watch once the proxy has sent its final response: late branch answers change nothing.
        Failover failover = watch == null ? null : watch.searchFailover();
        int status = response.getStatus();
        if (failover == null || status < 300 || failover.on().contains(status)) {
            return;
        }
        ProxyBranch answered = response.getProxyBranch();
        for (ProxyBranch branch : response.getProxy().getProxyBranches()) {
            if (branch != answered && branch.getResponse() == null) {
                try {
                    branch.cancel(); // not started yet: the container skips it
                } catch (IllegalStateException alreadyDone) {
                    // finished between the check and the cancel; nothing to stop
                }
            }
        }
    }

    /**
     * Called with each provisional response of a proxy branch. When another branch has already
     * answered, this one lost the race: cancel it (RFC 3261 section 16.7 step 10). The container
     * cancels losers that had sent a provisional response by then, but drops a 180 that arrives
     * after the answer without cancelling, which would leave that phone ringing.
     */
    static void afterBranchProvisional(SipServletResponse response) throws IOException {
        ProxyBranch branch = response.getProxyBranch();
        if (branch == null || response.getStatus() == SipServletResponse.SC_TRYING) {
            return;
        }
        for (ProxyBranch other : response.getProxy().getProxyBranches()) {
            SipServletResponse answer = other == branch ? null : other.getResponse();
            if (answer != null && answer.getStatus() >= 200 && answer.getStatus() < 300) {
                try {
                    branch.getRequest().createCancel().send();
                } catch (IllegalStateException finished) {
                    // the branch completed meanwhile; nothing left to cancel
                }
                return;
            }
        }
    }

    /**
     * Called with the 2xx about to go to the caller. Every other branch that is still ringing lost:
     * cancel it now. The container cancels them too, but a branch whose 180 is being handled at
     * the same moment slips through its check and would ring on until its timer runs out. A
     * second CANCEL for the same branch is harmless (RFC 3261 section 9.2).
     */
    static void afterAnswer(SipServletResponse answer) throws IOException {
        if (answer.getProxy() == null) {
            return;
        }
        ProxyBranch winner = answer.getProxyBranch();
        for (ProxyBranch other : answer.getProxy().getProxyBranches()) {
            SipServletResponse last = other == winner ? null : other.getResponse();
            if (last != null && last.getStatus() < 200) {
                try {
                    other.getRequest().createCancel().send();
                } catch (IllegalStateException finished) {
                    // answered or cancelled meanwhile
                }
            }
        }
    }

    /**
     * Refuses a new INVITE because the server is at its admission limit: {@code 503} with
     * {@code Retry-After} (RFC 3261 section 21.5.4), nothing sent onward. As cheap as any final
     * answer: no lookup, no Contact, no proxy state.
     */
    static void shed(SipServletRequest request, int retryAfterSeconds) throws IOException {
        SipServletResponse response = request.createResponse(SipServletResponse.SC_SERVICE_UNAVAILABLE);
        response.setHeader("Retry-After", Integer.toString(retryAfterSeconds));
        response.send();
    }

    /** The 3xx with one Contact per hop, not yet sent. */
    private SipServletResponse redirect(SipServletRequest request, List<Hop> hops, Action.RedirectTo redirectTo)
            throws ServletParseException {
        SipServletResponse response = request.createResponse(redirectTo.status(), ReasonPhrases.of(redirectTo.status()));
        for (Hop hop : hops) {
            Address contact = factory.createAddress(factory.createURI(hop.uri()));
            if (hop.q() != null) {
                contact.setQ(hop.q().floatValue());
            }
            if (hop.expires() != null) {
                contact.setExpires(hop.expires());
            }
            response.addAddressHeader("Contact", contact, false);
        }
        return response;
    }

}
