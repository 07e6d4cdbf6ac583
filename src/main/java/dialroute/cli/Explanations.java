package dialroute.cli;

import dialroute.dialplan.Availability;
import dialroute.dialplan.Call;
import dialroute.dialplan.DialPlan;
import dialroute.dialplan.DialPlanProblem;
import java.util.List;
import java.util.Random;
import java.util.random.RandomGenerator;

/**
 * The what-if answer and the problem list as JSON, for callers other than the command line (the
 * admin API), so both speak the same field names.
 */
public final class Explanations {
    private Explanations() {
    }

    /** Why {@code call} gets its decision under {@code plan}; {@code seed} draws one weighted order, or null for the listed order. */
    public static String json(DialPlan plan, Call call, Long seed) {
        return json(plan, call, seed, Availability.EVERY);
    }

    /** Like {@link #json(DialPlan, Call, Long)}, leaving out the destinations {@code availability} says are down or disabled. */
    public static String json(DialPlan plan, Call call, Long seed, Availability availability) {
        RandomGenerator random = seed == null ? DialPlan.LISTED_ORDER : new Random(seed);
        WhatIf.Input input = new WhatIf.Input(call.dialled(), call.caller(),
                call.source() == null ? null : call.source().getHostAddress(), call.time().toString(), seed);
        return JsonOutput.whatIf(WhatIf.of(plan, plan.source(), plan.explain(call, random, availability), input));
    }

    /** Every problem of a refused plan. */
    public static String problemsJson(String planName, List<DialPlanProblem> problems) {
        return JsonOutput.invalid(planName, problems);
    }
}
