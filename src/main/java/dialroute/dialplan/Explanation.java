package dialroute.dialplan;

import java.util.List;

/**
 * Why a call got its decision: every rule whose prefix matches the number, longest prefix first,
 * with the conditions it checked. Made by {@link DialPlan#explain}, for admins asking "what if".
 */
public record Explanation(Call call, List<Step> steps, Decision decision) {
    public Explanation {
        steps = List.copyOf(steps);
    }

    /** What happened to one candidate rule. */
    public enum Verdict {
        /** Its conditions held: this rule decided. */
        CHOSEN,
        /** Its prefix matched but a condition failed; the search went on. */
        CONDITIONS_FAILED,
        /** Its conditions held, but every destination was down or disabled and the rule says to go on. */
        DESTINATIONS_UNAVAILABLE,
        /** A longer prefix (or an earlier rule) had already decided; listed for completeness. */
        NOT_NEEDED
    }

    /** One candidate rule and what became of it. */
    public record Step(Rule rule, Verdict verdict, List<Conditions.Outcome> conditions) {
        public Step {
            conditions = List.copyOf(conditions);
        }
    }
}
