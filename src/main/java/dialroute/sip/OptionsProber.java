package dialroute.sip;

import dialroute.dialplan.ActiveDialPlan;
import dialroute.dialplan.Destination;
import dialroute.dialplan.DialPlan;
import dialroute.dialplan.Endpoint;
import dialroute.health.DestinationHealth;
import dialroute.health.ProbeSchedule;
import dialroute.health.ProbeState;
import java.io.IOException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;
import javax.servlet.ServletException;
import javax.servlet.sip.Address;
import javax.servlet.sip.SipApplicationSession;
import javax.servlet.sip.SipFactory;
import javax.servlet.sip.SipServletRequest;
import javax.servlet.sip.SipServletResponse;

/**
 * Sends SIP OPTIONS to every destination the plan asks to probe and feeds the results to
 * {@link DestinationHealth}, through {@link ProbeSchedule}, which decides when (jittered, a
 * bounded number in flight) and when a probe has run out of time. One daemon thread ticks every
 * {@value #TICK_MS} ms; with no probed destination a tick does nothing. Probes are handed to a few
 * sender threads, because opening a TCP connection to a dead host can block for seconds and the
 * ticker must keep measuring the other probes' timeouts meanwhile. Replies arrive on the
 * container's threads in {@link RoutingServlet#doResponse}, which hands them to {@link #answered}.
 *
 * <p>Each probe is a request of its own application session, marked with its ticket so its reply
 * is recognised; the session is invalidated by the container once its transaction has ended.
 */
final class OptionsProber implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger("dialroute");
    static final long TICK_MS = 100;
    /** Probes in flight at once, across all destinations: a plan of many gateways never floods. */
    static final int MAX_OUTSTANDING = 16;
    private static final int SENDERS = 4;
    private static final String TICKET = "dialroute.probe";
    /** No DNS name: .invalid never resolves (RFC 6761), and nobody needs to reach dialroute by its From. */
    private static final String FROM = "<sip:dialroute@dialroute.invalid>";

    private final SipFactory factory;
    private final String handler;
    private final ActiveDialPlan plans;
    private final DestinationHealth health;
    private final ProbeSchedule schedule;
    private final Clock clock;
    private final ScheduledExecutorService timer;
    private final ExecutorService senders;
    private final Map<String, ProbeState.Health> logged = new HashMap<>();
    private DialPlan lastPlan;
    private List<Destination> probed = List.of();

    private OptionsProber(SipFactory factory, String handler, ActiveDialPlan plans, DestinationHealth health, Clock clock) {
        this.factory = factory;
        this.handler = handler;
        this.plans = plans;
        this.health = health;
        this.clock = clock;
        this.schedule = new ProbeSchedule(health, MAX_OUTSTANDING, new Random());
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "dialroute-prober"));
        // Never more work than probes in flight, which the schedule bounds.
        this.senders = Executors.newFixedThreadPool(SENDERS, r -> daemon(r, "dialroute-probe-sender"));
    }

    /**
     * @param handler the servlet whose doResponse gets the replies
     */
    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }

    static OptionsProber start(SipFactory factory, String handler, ActiveDialPlan plans, DestinationHealth health) {
        OptionsProber prober = new OptionsProber(factory, handler, plans, health, Clock.systemUTC());
        prober.timer.scheduleWithFixedDelay(prober::tickQuietly, TICK_MS, TICK_MS, TimeUnit.MILLISECONDS);
        return prober;
    }

    private void tickQuietly() {
        try {
            tick();
        } catch (RuntimeException e) {
            // One bad tick must not end probing for good.
            LOG.log(Level.WARNING, "dialroute: probing destinations failed", e);
        }
    }

    private void tick() {
        DialPlan plan = plans.current();
        if (plan != lastPlan) {
            lastPlan = plan;
            List<Destination> list = new ArrayList<>();
            for (Endpoint e : plan.endpoints().values()) {
                if (e instanceof Destination d && d.probed()) {
                    list.add(d);
                }
            }
            probed = list;
        }
        for (ProbeSchedule.Ticket ticket : schedule.due(probed, clock.instant())) {
            try {
                senders.execute(() -> send(ticket));
            } catch (RejectedExecutionException closing) {
                return; // undeploying: the probe is dropped with the schedule
            }
        }
        logChanges();
    }

    private void send(ProbeSchedule.Ticket ticket) {
        Destination d = ticket.destination();
        try {
            SipApplicationSession session = factory.createApplicationSession();
            // Gone within a minute even if a transaction never ends; normally at its end.
            session.setExpires(1);
            session.setInvalidateWhenReady(true);
            Address to = factory.createAddress("<" + d.target().uri() + ">");
            SipServletRequest options = factory.createRequest(session, "OPTIONS", factory.createAddress(FROM), to);
            options.setRequestURI(factory.createURI(d.target().requestUri(null)));
            options.getSession().setHandler(handler);
            options.getSession().setAttribute(TICKET, ticket);
            options.send();
        } catch (IOException | ServletException | RuntimeException e) {
            // Unreachable over TCP, or refused by the stack: a failed probe, like silence.
            LOG.fine(() -> "dialroute: probe to " + d.name() + " not sent: " + e);
            schedule.unsent(ticket, clock.instant());
        }
    }

    /**
     * Takes a reply to a probe; false when {@code response} is no probe's (a call's response).
     */
    boolean answered(SipServletResponse response) {
        if (!"OPTIONS".equals(response.getMethod())) {
            return false;
        }
        Object ticket = response.getSession().getAttribute(TICKET);
        if (!(ticket instanceof ProbeSchedule.Ticket t)) {
            return false;
        }
        if (response.getStatus() >= 200) {
            schedule.answered(t, response.getStatus(), clock.instant());
        }
        return true;
    }

    /** One INFO line per change of a destination's health, so the log tells when calls stopped going there. */
    private void logChanges() {
        for (Destination d : probed) {
            ProbeState s = health.state(d.name());
            if (s == null || s.health() == ProbeState.Health.UNKNOWN) {
                continue;
            }
            ProbeState.Health before = logged.put(d.name(), s.health());
            if (before != s.health() && !(before == null && s.health() == ProbeState.Health.UP)) {
                LOG.info(() -> "dialroute: destination " + d.name() + " (" + d.target().uri() + ") is " + s.health().name().toLowerCase()
                        + (s.health() == ProbeState.Health.DOWN ? " after " + s.failures() + " failed probes, last reply " + s.lastReply()
                        : ", last reply " + s.lastReply()));
            }
        }
        logged.keySet().retainAll(probed.stream().map(Destination::name).toList());
    }

    /** Stops probing; returns once its threads have ended, so an undeploy leaves no thread behind. */
    @Override
    public void close() {
        timer.shutdownNow();
        senders.shutdownNow();
        try {
            timer.awaitTermination(5, TimeUnit.SECONDS);
            senders.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
