package dialroute.sip;

import dialroute.calllog.JsonCallLog;
import dialroute.dialplan.ActiveDialPlan;
import dialroute.dialplan.RoutingEvents;
import dialroute.health.DestinationHealth;
import dialroute.overload.Admission;
import dialroute.overload.SourceLimiter;
import java.io.IOException;
import java.time.Clock;
import java.util.Optional;
import java.util.logging.Level;
import java.util.logging.Logger;
import javax.servlet.ServletException;
import javax.servlet.UnavailableException;
import javax.servlet.sip.SipFactory;
import javax.servlet.sip.SipServlet;
import javax.servlet.sip.SipServletRequest;
import javax.servlet.sip.SipServletResponse;
import javax.servlet.sip.SipURI;
import javax.servlet.sip.TelURL;
import javax.servlet.sip.URI;

/**
 * Turns each new INVITE into a dial-plan decision and carries it out. The whole path:
 * number from the Request-URI, one lookup in the plan serving now, one action on the wire.
 */
public final class RoutingServlet extends SipServlet {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = Logger.getLogger("dialroute");

    private transient ActiveDialPlan plans;
    private transient SipActions actions;
    private transient Admission admission;
    private transient SourceLimiter flood;
    private transient RoutingEvents events;
    private transient JsonCallLog callLog;
    private transient DestinationHealth health;
    private transient OptionsProber prober;
    private transient Runnable stopStatelessAnswers = () -> { };
    /** Set when the SIP stack answers calls and checks proxied ones before they come here. */
    private transient StatelessAnswers stackAnswers;
    private transient NewCalls newCalls;

    @Override
    public void init() throws ServletException {
        plans = (ActiveDialPlan) getServletContext().getAttribute(ActiveDialPlan.class.getName());
        if (plans == null) {
            throw new UnavailableException("no dial plan was loaded; see the log lines above for why");
        }
        events = getServletContext().getAttribute(RoutingEvents.class.getName()) instanceof RoutingEvents e ? e : RoutingEvents.NONE;
        callLog = getServletContext().getAttribute(JsonCallLog.class.getName()) instanceof JsonCallLog l ? l : JsonCallLog.disabled();
        SipFactory factory = (SipFactory) getServletContext().getAttribute(SIP_FACTORY);
        health = getServletContext().getAttribute(DestinationHealth.class.getName()) instanceof DestinationHealth h ? h : new DestinationHealth();
        try {
            admission = Admission.fromSystemProperties();
            flood = SourceLimiter.fromSystemProperties();
        } catch (IllegalArgumentException e) {
            throw new UnavailableException("overload settings: " + e.getMessage());
        }
        newCalls = new NewCalls(plans, flood, admission, events, callLog, health, Clock.systemUTC());
        actions = new SipActions(factory, events, callLog, new OwnAddresses(getServletContext()), newCalls);
        LOG.info(() -> "dialroute: routing INVITEs with dial plan " + plans.current());
        LOG.info(() -> "dialroute: admission limits: " + admission);
        LOG.info(() -> "dialroute: flood protection: " + flood);
        // Runs whatever the plan says, so a reload can switch probing on; sends nothing until a
        // destination of the plan asks to be probed.
        prober = OptionsProber.start(factory, getServletName(), plans, health);
        // Last: the SIP stack answers calls with these objects from now on.
        StatelessAnswers answers = new StatelessAnswers(newCalls, events);
        answers.installInSipStack().ifPresent(stop -> {
            stackAnswers = answers;
            stopStatelessAnswers = stop;
        });
    }

    @Override
    public void destroy() {
        stopStatelessAnswers.run();
        if (prober != null) {
            prober.close();
        }
        super.destroy();
    }

    /**
     * Every new request comes here first (the application router sends dialroute all of them):
     * what is no call dialroute can route is answered at once, the rest goes on to doInvite.
     */
    @Override
    protected void doRequest(SipServletRequest request) throws ServletException, IOException {
        if (request.isInitial() && NonCallRequests.answered(request)) {
            return;
        }
        super.doRequest(request);
    }

    @Override
    protected void doInvite(SipServletRequest request) throws IOException {
        if (!request.isInitial()) {
            // A re-INVITE inside a proxied call: the container forwards it along the route set.
            return;
        }
        // A proxied call the SIP stack has already taken in (flood and admission checks, the
        // lookup, maybe its Record-Route): carried out as the stack decided it.
        Optional<StatelessAnswers.HandOff> handOff = stackAnswers == null ? Optional.empty() : stackAnswers.handedOff(request.getCallId());
        NewCalls.Routed call;
        if (handOff.isPresent()) {
            call = handOff.get().call();
        } else {
            NewCalls.Intake intake = newCalls.take(dialledUser(request.getRequestURI()), dialledUser(request.getFrom().getURI()),
                    request.getRemoteAddr(), request.getCallId());
            if (intake instanceof NewCalls.Refused refused) {
                SipActions.shed(request, refused.retryAfterSeconds());
                return;
            }
            call = (NewCalls.Routed) intake;
        }
        events.decided(call.decision());
        if (LOG.isLoggable(Level.FINE)) {
            LOG.fine("call " + request.getCallId() + ": " + call.decision());
        }
        actions.perform(request, call, handOff.map(StatelessAnswers.HandOff::recordRouted).orElse(false));
    }

    /**
     * Responses of the calls dialroute proxies (the proxy is supervised): provisional responses of
     * a branch, and the final response about to go to the caller, which completes the call. Replies
     * to health probes (OPTIONS dialroute sent itself) arrive here too.
     */
    @Override
    protected void doResponse(SipServletResponse response) throws IOException {
        if (prober.answered(response)) {
            return; // a reply to a health probe, not part of a call
        }
        if (!"INVITE".equals(response.getMethod())) {
            // A BYE's (or other in-call request's) response: nothing to count or cancel. Looking at
            // the proxy's branches here also raced with the container tearing the proxy down once
            // the call ended (ProxyImpl.getProxyBranches copies an unsynchronised map): the copy
            // threw, and the caller never got the 200 to its BYE (4 calls in 280,000 in a soak).
            return;
        }
        CallWatch watch = CallWatch.of(response);
        if (response.getStatus() < 200) {
            if (watch != null) {
                watch.branchResponded(response);
            }
            SipActions.afterBranchProvisional(response);
        } else {
            if (response.getStatus() < 300) {
                SipActions.afterAnswer(response);
            }
            if (watch != null) {
                watch.completed(response.getStatus());
            }
        }
    }

    /**
     * A branch's final response: counted, and a failure that is no failover status ends a
     * sequential search. The container sends branch finals here, not to doResponse.
     */
    @Override
    protected void doBranchResponse(SipServletResponse response) {
        CallWatch watch = CallWatch.of(response);
        if (watch != null) {
            watch.branchResponded(response);
        }
        SipActions.afterBranchFailure(response, watch);
    }

    /** The user part of a sip:/sips: URI or the number of a tel: URI; null when there is none. */
    static String dialledUser(URI uri) {
        if (uri instanceof SipURI sip) {
            return sip.getUser();
        }
        if (uri instanceof TelURL tel) {
            // getPhoneNumber() leaves out the '+' of a global number; the plan's prefixes include it.
            return tel.isGlobal() ? "+" + tel.getPhoneNumber() : tel.getPhoneNumber();
        }
        return null;
    }
}
