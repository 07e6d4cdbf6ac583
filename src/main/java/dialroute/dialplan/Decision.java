package dialroute.dialplan;

import java.util.Optional;

/**
 * The outcome of one lookup: what to do, with which number. Never null: "no route" is itself a
 * decision ({@code Reject 404}).
 *
 * @param dialled the number as dialled
 * @param number  the number after the rule's rewrite; the one that goes on the wire
 * @param rule    the rule that matched, or null when none did
 */
public record Decision(String dialled, String number, Action action, Rule rule) {

    public Optional<Rule> matchedRule() {
        return Optional.ofNullable(rule);
    }
}
