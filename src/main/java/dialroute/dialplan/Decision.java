package dialroute.dialplan;

import java.util.List;
import java.util.Optional;

/**
 * The outcome of one lookup: what to do, with which number, where. Never null: "no route" is
 * itself a decision ({@code Reject 404}).
 *
 * @param dialled the number as dialled (separators removed)
 * @param number  the number after the rule's rewrite
 * @param rule    the rule that matched, or null when none did
 * @param hops    where the call goes, in the order tried (proxy) or listed (redirect); empty for a reject
 * @param skipped destinations the plan named for this call but left out because they are down or
 *                disabled, in plan order (a rule that fell through included)
 */
public record Decision(String dialled, String number, Action action, Rule rule, List<Hop> hops, List<Skipped> skipped) {
    public Decision {
        hops = List.copyOf(hops);
        skipped = List.copyOf(skipped);
    }

    public Decision(String dialled, String number, Action action, Rule rule, List<Hop> hops) {
        this(dialled, number, action, rule, hops, List.of());
    }

    /** A destination left out of this call, and why. */
    public record Skipped(Destination destination, Availability.Unavailable why) {
        @Override
        public String toString() {
            return destination.name() + " (" + why.name().toLowerCase(java.util.Locale.ROOT) + ")";
        }
    }

    public Optional<Rule> matchedRule() {
        return Optional.ofNullable(rule);
    }

    @Override
    public String toString() {
        String head = rule == null ? "no rule" : "rule at line " + rule.line() + " (prefix '" + rule.prefix() + "')";
        String skips = skipped.isEmpty() ? "" : ", skipped " + skipped;
        if (action instanceof Action.Reject r) {
            return head + ": reject " + r.status() + (r.reason() == null ? "" : " " + r.reason()) + skips;
        }
        if (action instanceof Action.ProxyTo p) {
            return head + ": proxy " + p.strategy().toString().toLowerCase() + " to " + hops + skips;
        }
        return head + ": redirect " + ((Action.RedirectTo) action).status() + " to " + hops + skips;
    }
}
