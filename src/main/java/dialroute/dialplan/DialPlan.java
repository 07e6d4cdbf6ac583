package dialroute.dialplan;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.random.RandomGenerator;

/**
 * A validated, immutable dial plan. The longest prefix of the number that has a rule whose
 * conditions hold wins; among rules with the same prefix the first with conditions that hold, and
 * a rule without conditions last. When no rule of a prefix applies, shorter prefixes are tried.
 * A reload builds a new plan and swaps it in ({@link ActiveDialPlan}); the source (a file path)
 * and version (a short content hash) let logs say exactly which plan is serving.
 */
public final class DialPlan {

    static final Action.Reject NO_ROUTE = new Action.Reject(404, "Not Found");
    static final Action.Reject NUMBER_TOO_SHORT = new Action.Reject(484, "Address Incomplete");

    private final String source;
    private final String version;
    private final List<Rule> rules;
    private final Map<String, Endpoint> endpoints;
    private final PrefixTable<Rule[]> table;

    private DialPlan(String source, String version, List<Rule> rules, Map<String, Endpoint> endpoints, PrefixTable<Rule[]> table) {
        this.source = Objects.requireNonNull(source);
        this.version = Objects.requireNonNull(version);
        this.rules = rules;
        this.endpoints = endpoints;
        this.table = table;
    }

    /** A plan of rules only (targets written inline). */
    public static DialPlan of(String source, String version, List<Rule> rules) {
        return of(source, version, rules, Map.of());
    }

    /**
     * @param endpoints the named destinations and groups, for display; rules refer to them directly
     * @throws IllegalArgumentException when two rules share a prefix and conditions (the YAML reader
     *                                  reports that earlier, with both lines)
     */
    public static DialPlan of(String source, String version, List<Rule> rules, Map<String, Endpoint> endpoints) {
        Map<String, List<Rule>> byPrefix = new java.util.HashMap<>();
        for (Rule rule : rules) {
            List<Rule> same = byPrefix.computeIfAbsent(rule.prefix(), p -> new ArrayList<>());
            for (Rule earlier : same) {
                if (earlier.when().equals(rule.when())) {
                    throw new IllegalArgumentException("prefix '" + rule.prefix() + "' appears twice with the same conditions (lines "
                            + earlier.line() + " and " + rule.line() + ")");
                }
            }
            same.add(rule);
        }
        PrefixTable<Rule[]> table = new PrefixTable<>();
        for (Map.Entry<String, List<Rule>> entry : byPrefix.entrySet()) {
            // Rules with conditions first, in file order; the unconditional fallback last.
            List<Rule> ordered = new ArrayList<>(entry.getValue());
            ordered.sort((a, b) -> Boolean.compare(a.when().isAlways(), b.when().isAlways()));
            table.put(entry.getKey(), ordered.toArray(new Rule[0]));
        }
        return new DialPlan(source, version, List.copyOf(rules), Map.copyOf(endpoints), table);
    }

    public String source() {
        return source;
    }

    public String version() {
        return version;
    }

    /** The rules in the order the file lists them. */
    public List<Rule> rules() {
        return rules;
    }

    /** Named destinations and groups, by name. */
    public Map<String, Endpoint> endpoints() {
        return endpoints;
    }

    /**
     * Decides what happens to {@code call}. Its dialled user part may be absent ({@code 484 Address
     * Incomplete}, RFC 3261 section 21.4.22) or not a number (e.g. {@code alice}: no route).
     *
     * @param random draws the order of weighted targets
     */
    public Decision route(Call call, RandomGenerator random) {
        return route(call, random, Availability.EVERY);
    }

    /**
     * Like {@link #route(Call, RandomGenerator)}, leaving out destinations that {@code availability}
     * says are down or disabled. A proxy or redirect rule left with none answers {@code 503} with
     * {@code Retry-After}, or, when the rule says {@link Rule.WhenUnavailable#NEXT_RULE}, the search
     * goes on.
     */
    public Decision route(Call call, RandomGenerator random, Availability availability) {
        return decide(call, random, availability, null);
    }

    /** {@link #route} for a number alone, with no caller, source or weights: for tests and tools. */
    public Decision lookup(String dialled) {
        return decide(Call.to(dialled), LISTED_ORDER, Availability.EVERY, null);
    }

    /** Like {@link #route}, and says why: every candidate rule and its conditions. */
    public Explanation explain(Call call, RandomGenerator random) {
        return explain(call, random, Availability.EVERY);
    }

    /** Like {@link #route(Call, RandomGenerator, Availability)}, and says why. */
    public Explanation explain(Call call, RandomGenerator random, Availability availability) {
        List<Explanation.Step> steps = new ArrayList<>();
        Decision decision = decide(call, random, availability, steps);
        return new Explanation(call, steps, decision);
    }

    private Decision decide(Call call, RandomGenerator random, Availability availability, List<Explanation.Step> trace) {
        String userPart = call.dialled();
        if (userPart == null || userPart.isEmpty()) {
            return new Decision("", "", NUMBER_TOO_SHORT, null, List.of());
        }
        String dialled = DialString.normalize(userPart).orElse(null);
        if (dialled == null) {
            return new Decision(userPart, userPart, NO_ROUTE, null, List.of());
        }
        Object[] candidates = new Object[dialled.length() + 1];
        int count = table.matches(dialled, candidates);
        Decision decision = null;
        // The first rule whose destinations were all unavailable and that let the search go on: its
        // 503 is the answer if no other rule takes the call.
        Decision fellThrough = null;
        List<Decision.Skipped> skippedBefore = List.of();
        for (int i = 0; i < count; i++) {
            for (Rule rule : (Rule[]) candidates[i]) {
                if (decision != null) {
                    if (trace != null) {
                        trace.add(new Explanation.Step(rule, Explanation.Verdict.NOT_NEEDED, List.of()));
                    }
                    continue;
                }
                boolean holds = rule.when().holdFor(call);
                if (!holds) {
                    if (trace != null) {
                        trace.add(new Explanation.Step(rule, Explanation.Verdict.CONDITIONS_FAILED, rule.when().check(call)));
                    }
                    continue;
                }
                Decision applied = apply(rule, dialled, random, availability);
                if (applied.hops().isEmpty() && !applied.skipped().isEmpty() && rule.unavailable() == Rule.WhenUnavailable.NEXT_RULE) {
                    if (trace != null) {
                        trace.add(new Explanation.Step(rule, Explanation.Verdict.DESTINATIONS_UNAVAILABLE, rule.when().check(call)));
                    }
                    if (fellThrough == null) {
                        fellThrough = applied;
                    }
                    skippedBefore = concat(skippedBefore, applied.skipped());
                    continue;
                }
                if (trace != null) {
                    trace.add(new Explanation.Step(rule, Explanation.Verdict.CHOSEN, rule.when().check(call)));
                }
                decision = applied;
                if (trace == null) {
                    break;
                }
            }
            if (decision != null && trace == null) {
                break;
            }
        }
        if (decision == null) {
            return fellThrough != null ? new Decision(dialled, fellThrough.number(), fellThrough.action(), fellThrough.rule(), List.of(),
                    skippedBefore) : new Decision(dialled, dialled, NO_ROUTE, null, List.of());
        }
        if (!skippedBefore.isEmpty()) {
            decision = new Decision(decision.dialled(), decision.number(), decision.action(), decision.rule(), decision.hops(),
                    concat(skippedBefore, decision.skipped()));
        }
        return decision;
    }

    /** What {@code rule} does with the call: its rewrite, then its destinations that may get calls. */
    private static Decision apply(Rule rule, String dialled, RandomGenerator random, Availability availability) {
        String number = rule.rewrite().apply(dialled);
        if (number.isEmpty() && !(rule.action() instanceof Action.Reject)) {
            // Stripping left nothing to dial: the caller has not dialled enough digits yet.
            return new Decision(dialled, number, NUMBER_TOO_SHORT, rule, List.of());
        }
        List<Decision.Skipped> skipped = new ArrayList<>(0);
        List<Hop> hops = hops(rule.action(), number, random, availability, skipped);
        if (hops.isEmpty() && !skipped.isEmpty()) {
            return new Decision(dialled, number, unavailable(skipped), rule, List.of(), skipped);
        }
        return new Decision(dialled, number, rule.action(), rule, hops, skipped);
    }

    /**
     * The answer when every destination of a rule is left out: 503 (RFC 3261 section 21.5.4), with
     * Retry-After set to the soonest any of them can be back: a down destination after its
     * {@link Probe#recovery()}; a disabled one has no such clock, so a minute.
     */
    static Action.Reject unavailable(List<Decision.Skipped> skipped) {
        Duration soonest = null;
        for (Decision.Skipped s : skipped) {
            Probe probe = s.destination().probe();
            Duration back = s.why() == Availability.Unavailable.DOWN && probe != null ? probe.recovery() : RETRY_WHEN_DISABLED;
            if (soonest == null || back.compareTo(soonest) < 0) {
                soonest = back;
            }
        }
        long seconds = Math.max(1, (soonest.toMillis() + 999) / 1000);
        return new Action.Reject(503, "Service Unavailable", (int) Math.min(seconds, Integer.MAX_VALUE));
    }

    static final Duration RETRY_WHEN_DISABLED = Duration.ofMinutes(1);

    private static <T> List<T> concat(List<T> a, List<T> b) {
        if (a.isEmpty()) {
            return b;
        }
        List<T> all = new ArrayList<>(a);
        all.addAll(b);
        return all;
    }

    private static List<Hop> hops(Action action, String number, RandomGenerator random, Availability availability,
                                  List<Decision.Skipped> skipped) {
        if (action instanceof Action.ProxyTo proxy) {
            List<Endpoint> order = proxy.strategy() == Strategy.WEIGHTED ? weightedOrder(proxy.targets(), random) : items(proxy.targets());
            Set<Destination> seen = new LinkedHashSet<>();
            for (Endpoint endpoint : order) {
                seen.addAll(destinations(endpoint, random));
            }
            List<Hop> hops = new ArrayList<>(seen.size());
            for (Destination d : seen) {
                if (available(d, availability, skipped)) {
                    hops.add(new Hop(d, numberFor(d, number), null, null));
                }
            }
            return hops;
        }
        if (action instanceof Action.RedirectTo redirect) {
            List<Hop> hops = new ArrayList<>();
            Set<Destination> seen = new LinkedHashSet<>();
            List<Action.ContactSpec> specs = redirect.contacts();
            for (Action.ContactSpec spec : specs) {
                for (Destination d : destinations(spec.endpoint(), random)) {
                    if (seen.add(d) && available(d, availability, skipped)) {
                        hops.add(new Hop(d, numberFor(d, number), spec.q(), spec.expires()));
                    }
                }
            }
            // Several Contacts without an explicit q get descending q-values by position, so list
            // order is preference order. A lone Contact needs none.
            int n = hops.size();
            for (int i = 0; i < n && n > 1; i++) {
                Hop h = hops.get(i);
                if (h.q() == null) {
                    double q = Math.round((n - i) * 1000.0 / n) / 1000.0;
                    hops.set(i, new Hop(h.destination(), h.number(), q, h.expires()));
                }
            }
            return hops;
        }
        return List.of();
    }

    /** True when {@code d} may get the call; otherwise records why it is left out. */
    private static boolean available(Destination d, Availability availability, List<Decision.Skipped> skipped) {
        Availability.Unavailable why = availability.check(d);
        if (why == null) {
            return true;
        }
        skipped.add(new Decision.Skipped(d, why));
        return false;
    }

    /** The number as {@code d} gets it: its own rewrite, unless that would leave nothing to dial. */
    private static String numberFor(Destination d, String number) {
        String sent = d.rewrite().apply(number);
        return sent.isEmpty() ? number : sent;
    }

    private static List<Destination> destinations(Endpoint endpoint, RandomGenerator random) {
        if (endpoint instanceof Destination d) {
            return List.of(d);
        }
        DestinationGroup group = (DestinationGroup) endpoint;
        return group.strategy() == Strategy.WEIGHTED ? weightedOrder(group.members(), random) : items(group.members());
    }

    private static <T> List<T> items(List<Weighted<T>> weighted) {
        List<T> items = new ArrayList<>(weighted.size());
        for (Weighted<T> w : weighted) {
            items.add(w.item());
        }
        return items;
    }

    /**
     * Draws the whole order by weight, without replacement: with A 70 and B 30, A comes first in
     * 70% of calls and B follows it; B comes first in 30% and A follows.
     */
    static <T> List<T> weightedOrder(List<Weighted<T>> weighted, RandomGenerator random) {
        List<Weighted<T>> left = new ArrayList<>(weighted);
        List<T> order = new ArrayList<>(weighted.size());
        while (!left.isEmpty()) {
            int total = 0;
            for (Weighted<T> w : left) {
                total += w.weight();
            }
            int pick = 0;
            if (total > 0) {
                int draw = random.nextInt(total);
                while (draw >= left.get(pick).weight()) {
                    draw -= left.get(pick).weight();
                    pick++;
                }
            }
            order.add(left.remove(pick).item());
        }
        return order;
    }

    /**
     * Draws nothing: weighted targets keep their listed order. For lookups that should show the
     * plan as written rather than one call's draw (tests, the what-if command).
     */
    public static final RandomGenerator LISTED_ORDER = new RandomGenerator() {
        @Override
        public long nextLong() {
            return 0;
        }

        @Override
        public int nextInt(int bound) {
            return 0;
        }
    };

    @Override
    public String toString() {
        return source + " (version " + version + ", " + rules.size() + (rules.size() == 1 ? " rule)" : " rules)");
    }
}
