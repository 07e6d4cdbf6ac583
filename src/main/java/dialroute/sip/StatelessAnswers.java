package dialroute.sip;

import dialroute.dialplan.Action;
import dialroute.dialplan.Decision;
import dialroute.dialplan.Hop;
import dialroute.dialplan.ReasonPhrases;
import dialroute.dialplan.RoutingEvents;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The answers the SIP stack sends for dialroute without the container: redirects and rejections,
 * and the 503 of a flooding source or of a proxied call over the proxied-call limit, decided by the
 * plan serving now, counted and logged exactly as the servlet counts the calls it answers. A
 * proxied call within the limits gets no answer here (null): it needs the container's proxy, so
 * the stack hands it on to {@link RoutingServlet} with the decision made here ({@link #handedOff}):
 * the servlet carries that out instead of looking the call up and counting it against the limits
 * a second time, and is told whether the stack record-routed it (then the stack forwards the call's in-call
 * requests and the container proxies it without a Record-Route of its own). Refusing here costs a tenth of what a 503 from the servlet does, so an overload of
 * proxied calls no longer takes the container's capacity.
 *
 * <p>Installed by {@link RoutingServlet} in dialroute's SIP stack valve
 * ({@code dialroute.sipstack.StatelessAnswerValve}, in the container's lib, loaded apart from this
 * archive): the valve and this class agree on plain string arrays, laid out in the valve's
 * documentation.
 */
final class StatelessAnswers implements Function<String[], String[]> {
    private static final Logger LOG = Logger.getLogger("dialroute");
    private static final String VALVE = "dialroute.sipstack.StatelessAnswerValve";

    private final NewCalls newCalls;
    private final RoutingEvents events;

    /**
     * A proxied call the stack admitted (flood and proxied-call limits) and handed on to the
     * servlet: the decision made here, which the servlet carries out as it is, and whether the
     * stack record-routed the call (then it forwards the call's in-call requests itself; else the
     * container record-routes it if the rule says so).
     */
    record HandOff(NewCalls.Routed call, boolean recordRouted) {
    }

    /** The valve's answer for "proxy this call; the stack record-routes it" (its RECORD_ROUTE), then the transport out. */
    private static final String RECORD_ROUTE = "record-route";

    /**
     * Proxied calls admitted here and not yet seen by the servlet, by Call-ID. An INVITE the
     * container never delivers would stay: entries that arrived over {@link #HANDOFF_NANOS} ago
     * are swept out whenever more than {@link #HANDOFF_SWEEP_SIZE} are waiting.
     */
    private final Map<String, HandOff> admitted = new ConcurrentHashMap<>();
    private static final long HANDOFF_NANOS = 32_000_000_000L;
    private static final int HANDOFF_SWEEP_SIZE = 10_000;
    private final AtomicLong handOffs = new AtomicLong();

    StatelessAnswers(NewCalls newCalls, RoutingEvents events) {
        this.newCalls = newCalls;
        this.events = events;
    }

    /**
     * @param call {dialled user, caller user, source address, Call-ID, transport over which the
     *             stack can record-route the call or ""}
     */
    @Override
    public String[] apply(String[] call) {
        NewCalls.Intake intake = newCalls.take(call[0], call[1], call[2], call[3]);
        if (intake instanceof NewCalls.Refused refused) {
            return answer(503, ReasonPhrases.of(503), Integer.toString(refused.retryAfterSeconds()), List.of());
        }
        NewCalls.Routed routed = (NewCalls.Routed) intake;
        Decision decision = routed.decision();
        if (decision.action() instanceof Action.ProxyTo proxyTo) {
            // Record-routed in the stack when the call came over UDP or TCP and IPv4 (the stack
            // says which, or "" when it cannot) and every branch leaves over one of those, the
            // same for all, to an IPv4 or named host: one Record-Route per side. Otherwise (TLS,
            // IPv6, branches over different transports) the container record-routes.
            String in = call.length > 4 ? call[4] : "";
            List<String> out = decision.hops().stream().map(hop -> hop.target().transportUsed()).distinct().toList();
            boolean inStack = proxyTo.recordRoute() && (in.equals("udp") || in.equals("tcp")) && out.size() == 1
                    && (out.get(0).equals("udp") || out.get(0).equals("tcp"))
                    && decision.hops().stream().noneMatch(hop -> hop.target().host().startsWith("["));
            handOff(call[3], new HandOff(routed, inStack));
            return inStack ? new String[] {RECORD_ROUTE, out.get(0)} : null;
        }
        events.decided(decision);
        if (LOG.isLoggable(Level.FINE)) {
            LOG.fine("call " + call[3] + ": " + decision + " (answered in the SIP stack)");
        }
        String[] answer = decision.action() instanceof Action.RedirectTo redirect
                ? answer(redirect.status(), ReasonPhrases.of(redirect.status()), "", decision.hops())
                : reject((Action.Reject) decision.action());
        newCalls.answered(routed, Integer.parseInt(answer[0]));
        return answer;
    }

    /**
     * The proxied call with this Call-ID that the stack admitted and handed on, once per hand-off;
     * empty when there is none (the call did not pass through the stack, or was taken already).
     */
    Optional<HandOff> handedOff(String callId) {
        return Optional.ofNullable(admitted.remove(callId));
    }

    private void handOff(String callId, HandOff handOff) {
        admitted.put(callId, handOff);
        // At most one sweep per 1024 hand-offs, so a backlog of fresh entries costs no scan per call.
        long now = handOff.call().arrivedNanos();
        if (admitted.size() > HANDOFF_SWEEP_SIZE && handOffs.incrementAndGet() % 1024 == 0) {
            admitted.values().removeIf(entry -> now - entry.call().arrivedNanos() > HANDOFF_NANOS);
        }
    }

    private static String[] reject(Action.Reject reject) {
        String retryAfter = reject.retryAfter() == null ? "" : reject.retryAfter().toString();
        return answer(reject.status(), reject.phrase(), retryAfter, List.of());
    }

    private static String[] answer(int status, String reason, String retryAfter, List<Hop> contacts) {
        List<String> answer = new ArrayList<>(3 + 3 * contacts.size());
        answer.add(Integer.toString(status));
        answer.add(reason);
        answer.add(retryAfter);
        for (Hop hop : contacts) {
            answer.add(hop.uri());
            answer.add(hop.q() == null ? "" : Float.toString(hop.q().floatValue()));
            answer.add(hop.expires() == null ? "" : hop.expires().toString());
        }
        return answer.toArray(String[]::new);
    }

    /**
     * Hands this function to dialroute's SIP stack valve, found by name through the container's
     * class loader.
     *
     * @return how to take it back, or empty when the container has no such valve (every call then
     *         goes through the container, as it did before the valve existed)
     */
    Optional<Runnable> installInSipStack() {
        Class<?> valve;
        try {
            valve = Class.forName(VALVE, true, StatelessAnswers.class.getClassLoader());
        } catch (ClassNotFoundException e) {
            LOG.info("dialroute: " + VALVE + " is not in this container's lib; redirects and rejections go through the container");
            return Optional.empty();
        }
        try {
            boolean inStack = (Boolean) valve.getMethod("install", Function.class).invoke(null, this);
            LOG.info(inStack
                    ? "dialroute: redirects and rejections are answered statelessly in the SIP stack; proxied calls go through the container,"
                            + " and the requests inside them are forwarded statelessly in the SIP stack"
                    : "dialroute: " + VALVE + " is not in the SIP stack's SIP_MESSAGE_VALVE; redirects and rejections go through the container");
            var remove = valve.getMethod("remove", Function.class);
            return Optional.of(() -> {
                try {
                    remove.invoke(null, this);
                } catch (ReflectiveOperationException e) {
                    LOG.log(Level.WARNING, "dialroute: could not take the stateless answers back from the SIP stack", e);
                }
            });
        } catch (ReflectiveOperationException | ClassCastException e) {
            LOG.log(Level.WARNING, "dialroute: " + VALVE + " does not match this dialroute; redirects and rejections go through the container", e);
            return Optional.empty();
        }
    }
}
