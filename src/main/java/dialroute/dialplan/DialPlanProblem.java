package dialroute.dialplan;

/**
 * One thing wrong with a dial plan, located so an admin can jump to it: {@code file:line:column: message}.
 * Lines and columns count from 1; 0 means "the whole file".
 */
public record DialPlanProblem(String source, int line, int column, String message) {

    @Override
    public String toString() {
        return line > 0 ? source + ":" + line + ":" + column + ": " + message : source + ": " + message;
    }
}
