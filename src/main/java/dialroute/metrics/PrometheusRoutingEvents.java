package dialroute.metrics;

import dialroute.dialplan.Action;
import dialroute.dialplan.Decision;
import dialroute.dialplan.DialPlan;
import dialroute.dialplan.Hop;
import dialroute.dialplan.InvalidDialPlanException;
import dialroute.dialplan.RoutingEvents;
import dialroute.dialplan.Rule;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.core.metrics.Info;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.time.Duration;

/**
 * Counts calls, destinations and plans as Prometheus metrics. Without exemplars: their sampler
 * starts a JVM-wide thread in the client library that outlives an undeploy. Label values are bounded by the plan
 * (rule prefixes, destination names) and by SIP (status codes), never by callers or numbers.
 */
public final class PrometheusRoutingEvents implements RoutingEvents, CallCounts {
    private final Counter calls;
    private final Counter rejects;
    private final Counter redirects;
    private final Counter attempts;
    private final Counter answers;
    private final Counter failovers;
    private final Counter destinationFailovers;
    /** Calls per rule of the plan in service, by the rule's line (unique within a file); for the admin API only. */
    private final Map<Integer, LongAdder> routedByLine = new ConcurrentHashMap<>();
    private final Counter shed;
    private final Counter flooded;
    private final Histogram setup;
    private final Info planInfo;
    private final Gauge planRules;
    private final Counter reloads;

    public PrometheusRoutingEvents(PrometheusRegistry registry) {
        calls = Counter.builder().withoutExemplars().name("dialroute_calls_total")
                .help("New INVITEs routed, by the rule's prefix (\"none\" when no rule matched) and action")
                .labelNames("prefix", "action").register(registry);
        rejects = Counter.builder().withoutExemplars().name("dialroute_rejects_total")
                .help("Calls rejected by the plan, by status").labelNames("status").register(registry);
        redirects = Counter.builder().withoutExemplars().name("dialroute_redirects_total")
                .help("Redirect responses sent, by status").labelNames("status").register(registry);
        attempts = Counter.builder().withoutExemplars().name("dialroute_destination_attempts_total")
                .help("INVITEs proxied to a destination, first tries and failovers alike").labelNames("destination").register(registry);
        answers = Counter.builder().withoutExemplars().name("dialroute_destination_responses_total")
                .help("Final responses from a destination, by status class (408 includes silence)")
                .labelNames("destination", "class").register(registry);
        failovers = Counter.builder().withoutExemplars().name("dialroute_failovers_total")
                .help("Proxied calls moved on to a further target after a failure").labelNames("prefix").register(registry);
        destinationFailovers = Counter.builder().withoutExemplars().name("dialroute_destination_failovers_total")
                .help("Proxied calls that moved on from a destination to a further target").labelNames("destination").register(registry);
        shed = Counter.builder().withoutExemplars().name("dialroute_calls_shed_total")
                .help("New calls refused with 503 at the proxied-call admission limit (action: proxy); calls refused at the"
                        + " limit on all new calls are answered in the SIP stack and never counted here")
                .labelNames("action").register(registry);
        LongSupplier stackShed = new SipStackShedCount();
        CounterWithCallback.builder().name("dialroute_calls_shed_by_sip_stack_total")
                .help("New calls the SIP stack answered 503 at the limit on all new calls, before dialroute saw them")
                .callback(callback -> callback.call(stackShed.getAsLong())).register(registry);
        flooded = Counter.builder().withoutExemplars().name("dialroute_flood_refused_total")
                .help("New INVITEs refused because their source address sent more than it may").register(registry);
        setup = Histogram.builder().withoutExemplars().name("dialroute_call_setup_seconds")
                .help("From a new INVITE's arrival to the final response the caller got")
                .classicOnly()
                .classicUpperBounds(0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 2.5, 5, 10, 30)
                .labelNames("action").register(registry);
        planInfo = Info.builder().name("dialroute_plan")
                .help("The plan in service: 1 for its source and version").labelNames("source", "version").register(registry);
        planRules = Gauge.builder().withoutExemplars().name("dialroute_plan_rules").help("Rules in the plan in service").register(registry);
        reloads = Counter.builder().withoutExemplars().name("dialroute_plan_reloads_total")
                .help("Plan file changes, by result (ok or refused)").labelNames("result").register(registry);
    }

    @Override
    public void decided(Decision decision) {
        Action action = decision.action();
        String prefix = decision.rule() == null ? "none" : decision.rule().prefix();
        calls.labelValues(prefix, actionName(action)).inc();
        if (decision.rule() != null) {
            routedByLine.computeIfAbsent(decision.rule().line(), line -> new LongAdder()).increment();
        }
        if (action instanceof Action.Reject r) {
            rejects.labelValues(Integer.toString(r.status())).inc();
        } else if (action instanceof Action.RedirectTo r) {
            redirects.labelValues(Integer.toString(r.status())).inc();
        }
    }

    @Override
    public void shed(Decision decision) {
        shed.labelValues(actionName(decision.action())).inc();
    }

    @Override
    public void floodRefused() {
        flooded.inc();
    }

    @Override
    public void attempted(Hop hop) {
        attempts.labelValues(hop.destination().name()).inc();
    }

    @Override
    public void answered(Hop hop, int status) {
        answers.labelValues(hop.destination().name(), (status / 100) + "xx").inc();
    }

    @Override
    public void failedOver(Decision decision, Hop from) {
        failovers.labelValues(decision.rule() == null ? "none" : decision.rule().prefix()).inc();
        if (from != null) {
            destinationFailovers.labelValues(from.destination().name()).inc();
        }
    }

    @Override
    public void completed(Decision decision, int status, Duration took) {
        setup.labelValues(actionName(decision.action())).observe(took.toNanos() / 1e9);
    }

    @Override
    public void planLoaded(DialPlan plan, boolean reload) {
        planInfo.setLabelValues(plan.source(), plan.version());
        planRules.set(plan.rules().size());
        routedByLine.clear();
        if (reload) {
            reloads.labelValues("ok").inc();
        }
    }

    @Override
    public void reloadRefused(InvalidDialPlanException problems) {
        reloads.labelValues("refused").inc();
    }

    @Override
    public Map<String, DestinationCounts> destinations() {
        Map<String, Long> tried = new HashMap<>();
        for (CounterSnapshot.CounterDataPointSnapshot p : attempts.collect().getDataPoints()) {
            tried.put(p.getLabels().get("destination"), (long) p.getValue());
        }
        Map<String, Map<String, Long>> classes = new HashMap<>();
        for (CounterSnapshot.CounterDataPointSnapshot p : answers.collect().getDataPoints()) {
            classes.computeIfAbsent(p.getLabels().get("destination"), d -> new TreeMap<>()).put(p.getLabels().get("class"), (long) p.getValue());
        }
        Map<String, Long> moved = new HashMap<>();
        for (CounterSnapshot.CounterDataPointSnapshot p : destinationFailovers.collect().getDataPoints()) {
            moved.put(p.getLabels().get("destination"), (long) p.getValue());
        }
        Map<String, DestinationCounts> all = new TreeMap<>();
        Set<String> names = new HashSet<>(tried.keySet());
        names.addAll(classes.keySet());
        names.addAll(moved.keySet());
        for (String name : names) {
            all.put(name, new DestinationCounts(tried.getOrDefault(name, 0L), classes.getOrDefault(name, Map.of()), moved.getOrDefault(name, 0L)));
        }
        return all;
    }

    @Override
    public long routed(Rule rule) {
        LongAdder count = routedByLine.get(rule.line());
        return count == null ? 0 : count.sum();
    }

    private static String actionName(Action action) {
        if (action instanceof Action.ProxyTo) {
            return "proxy";
        }
        return action instanceof Action.RedirectTo ? "redirect" : "reject";
    }
}
