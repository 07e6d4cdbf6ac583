package dialroute.cli;

import dialroute.dialplan.Action;
import dialroute.dialplan.Call;
import dialroute.dialplan.Conditions;
import dialroute.dialplan.Decision;
import dialroute.dialplan.Destination;
import dialroute.dialplan.DestinationGroup;
import dialroute.dialplan.DialPlan;
import dialroute.dialplan.DialString;
import dialroute.dialplan.Endpoint;
import dialroute.dialplan.Explanation;
import dialroute.dialplan.Hop;
import dialroute.dialplan.ReasonPhrases;
import dialroute.dialplan.Rule;
import dialroute.dialplan.Strategy;
import dialroute.dialplan.Weighted;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Everything {@code check --number} reports about one call, in plain values: built once from
 * {@link DialPlan#explain} and printed as text or JSON, so both always say the same.
 */
record WhatIf(
        String plan,
        String version,
        Input call,
        String dialled,
        List<Candidate> candidates,
        RuleRef rule,
        String number,
        String rewrite,
        String action,
        Proxy proxy,
        Redirect redirect,
        Reject reject,
        List<String> skipped) {

    /** The call as asked about. */
    record Input(String number, String caller, String source, String at, Long seed) {
    }

    /** A rule whose prefix matched, and what became of it. */
    record Candidate(String prefix, int line, String description, String verdict, List<Condition> conditions) {
    }

    /** One condition of a candidate, checked against the call. */
    record Condition(String condition, boolean held, String observed) {
    }

    record RuleRef(String prefix, int line, String description) {
    }

    /**
     * @param forking    what the SIP layer does: {@code sequential} (one target at a time, with
     *                   failover), {@code parallel} (all at once), {@code single} (one target)
     * @param weighted   whether an order is drawn by weight (the rule's strategy, or a weighted group)
     * @param order      {@code listed} (no draw: the first listed wins every draw) or {@code drawn}
     * @param targets    the rule's targets as the plan writes them
     * @param chain      the branches in the order tried, as sent
     * @param failover   when to move on, or null when it does not apply (parallel, single target)
     */
    record Proxy(String strategy, String forking, boolean recordRoute, boolean weighted, String order, List<TargetSpec> targets,
                 List<Branch> chain, Failover failover) {
    }

    /**
     * A target as written: a destination ({@code uri} set) or a group ({@code strategy} and
     * {@code members} set). {@code weight} and {@code firstShare} (percent of calls it comes first
     * in its draw) only where weights apply.
     */
    record TargetSpec(String name, String kind, String uri, Integer weight, Double firstShare, String strategy,
                      List<TargetSpec> members) {
    }

    /**
     * One proxy branch: the Request-URI as sent, the destination (its name; an inline target's
     * name is its URI), the target URI as written, the number sent, and the destination's own
     * rewrite when it has one.
     */
    record Branch(String uri, String destination, String target, String number, String destinationRewrite) {
    }

    record Failover(List<String> on, long provisionalTimeoutSeconds) {
    }

    record Redirect(int status, String reason, List<Contact> contacts) {
    }

    record Contact(String uri, String destination, String target, Double q, Integer expires, String header) {
    }

    /**
     * @param cause {@code rule} (the matched rule rejects), {@code no_route} (no rule matched),
     *              {@code not_a_number}, {@code no_number}, or {@code nothing_left} (the rule's rewrite
     *              left no digits to dial), or {@code unavailable} (every destination of the rule is down or disabled)
     * @param retryAfter seconds in Retry-After, or null
     */
    record Reject(int status, String reason, String cause, Integer retryAfter) {
    }

    static WhatIf of(DialPlan plan, String planName, Explanation explanation, Input input) {
        Decision decision = explanation.decision();
        List<Candidate> candidates = new ArrayList<>();
        for (Explanation.Step step : explanation.steps()) {
            List<Condition> checks = new ArrayList<>();
            for (Conditions.Outcome o : step.conditions()) {
                checks.add(new Condition(o.condition(), o.held(), o.observed()));
            }
            Rule r = step.rule();
            candidates.add(new Candidate(r.prefix(), r.line(), r.description(), step.verdict().name().toLowerCase(Locale.ROOT),
                    checks));
        }
        Rule rule = decision.rule();
        RuleRef ref = rule == null ? null : new RuleRef(rule.prefix(), rule.line(), rule.description());
        String rewrite = rule == null ? null : rule.rewrite().toString();
        Action action = decision.action();
        Proxy proxy = null;
        Redirect redirect = null;
        Reject reject = null;
        String kind;
        if (action instanceof Action.ProxyTo p) {
            kind = "proxy";
            proxy = proxy(p, decision, input.seed() != null);
        } else if (action instanceof Action.RedirectTo r) {
            kind = "redirect";
            List<Contact> contacts = new ArrayList<>();
            for (Hop hop : decision.hops()) {
                contacts.add(new Contact(hop.uri(), hop.destination().name(), hop.target().uri(), hop.q(), hop.expires(),
                        SipWire.contact(hop)));
            }
            redirect = new Redirect(r.status(), ReasonPhrases.of(r.status()), contacts);
        } else {
            kind = "reject";
            Action.Reject r = (Action.Reject) action;
            reject = new Reject(r.status(), r.phrase(), cause(explanation.call(), decision), r.retryAfter());
        }
        return new WhatIf(planName, plan.version(), input, decision.dialled(), candidates, ref, decision.number(), rewrite, kind,
                proxy, redirect, reject, decision.skipped().stream().map(Decision.Skipped::toString).toList());
    }

    private static String cause(Call call, Decision decision) {
        if (decision.rule() != null && decision.hops().isEmpty() && !decision.skipped().isEmpty()) {
            return "unavailable";
        }
        if (decision.rule() != null) {
            return decision.action().equals(decision.rule().action()) ? "rule" : "nothing_left";
        }
        if (call.dialled() == null || call.dialled().isEmpty()) {
            return "no_number";
        }
        return DialString.normalize(call.dialled()).isEmpty() ? "not_a_number" : "no_route";
    }

    private static Proxy proxy(Action.ProxyTo p, Decision decision, boolean drawn) {
        boolean ruleWeighted = p.strategy() == Strategy.WEIGHTED;
        boolean weighted = ruleWeighted;
        int total = p.targets().stream().mapToInt(Weighted::weight).sum();
        List<TargetSpec> targets = new ArrayList<>();
        for (Weighted<Endpoint> t : p.targets()) {
            Integer weight = ruleWeighted ? t.weight() : null;
            Double share = ruleWeighted ? share(t.weight(), total) : null;
            if (t.item() instanceof Destination d) {
                targets.add(new TargetSpec(d.name(), "destination", d.target().uri(), weight, share, null, null));
            } else {
                DestinationGroup g = (DestinationGroup) t.item();
                boolean groupWeighted = g.strategy() == Strategy.WEIGHTED;
                weighted |= groupWeighted;
                int groupTotal = g.members().stream().mapToInt(Weighted::weight).sum();
                List<TargetSpec> members = new ArrayList<>();
                for (Weighted<Destination> m : g.members()) {
                    members.add(new TargetSpec(m.item().name(), "destination", m.item().target().uri(),
                            groupWeighted ? m.weight() : null, groupWeighted ? share(m.weight(), groupTotal) : null, null, null));
                }
                targets.add(new TargetSpec(g.name(), "group", null, weight, share, lower(g.strategy()), members));
            }
        }
        List<Branch> chain = new ArrayList<>();
        for (Hop hop : decision.hops()) {
            Destination d = hop.destination();
            chain.add(new Branch(hop.proxyUri(), d.name(), d.target().uri(), hop.number(), d.rewrite().isNone() ? null : d.rewrite().toString()));
        }
        String forking = p.strategy() == Strategy.PARALLEL ? "parallel" : chain.size() == 1 ? "single" : "sequential";
        Failover failover = !forking.equals("sequential") || p.failover() == null ? null
                : new Failover(p.failover().on().specs(), p.failover().provisionalTimeout().toSeconds());
        return new Proxy(lower(p.strategy()), forking, p.recordRoute(), weighted, weighted && drawn ? "drawn" : "listed", targets,
                chain, failover);
    }

    private static Double share(int weight, int total) {
        return total == 0 ? 0.0 : Math.round(weight * 1000.0 / total) / 10.0;
    }

    private static String lower(Strategy s) {
        return s.name().toLowerCase(Locale.ROOT);
    }
}
