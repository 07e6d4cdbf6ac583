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
 */
public record Decision(String dialled, String number, Action action, Rule rule, List<Hop> hops) {
    public Decision {
        hops = List.copyOf(hops);
    }

    public Optional<Rule> matchedRule() {
        return Optional.ofNullable(rule);
    }

    @Override
    public String toString() {
        String head = rule == null ? "no rule" : "rule at line " + rule.line() + " (prefix '" + rule.prefix() + "')";
        if (action instanceof Action.Reject r) {
            return head + ": reject " + r.status() + (r.reason() == null ? "" : " " + r.reason());
        }
        if (action instanceof Action.ProxyTo p) {
            return head + ": proxy " + p.strategy().toString().toLowerCase() + " to " + hops;
        }
        return head + ": redirect " + ((Action.RedirectTo) action).status() + " to " + hops;
    }
}
