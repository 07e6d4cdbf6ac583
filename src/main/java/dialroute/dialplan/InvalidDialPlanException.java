package dialroute.dialplan;

import java.util.List;
import java.util.stream.Collectors;

/** A dial plan was refused; carries every problem found, not just the first. */
public final class InvalidDialPlanException extends Exception {
    private final transient List<DialPlanProblem> problems;

    public InvalidDialPlanException(List<DialPlanProblem> problems) {
        super(describe(problems));
        this.problems = List.copyOf(problems);
    }

    public List<DialPlanProblem> problems() {
        return problems;
    }

    private static String describe(List<DialPlanProblem> problems) {
        String header = problems.size() == 1 ? "dial plan refused, 1 problem:" : "dial plan refused, " + problems.size() + " problems:";
        return problems.stream().map(p -> "  " + p).collect(Collectors.joining("\n", header + "\n", ""));
    }
}
