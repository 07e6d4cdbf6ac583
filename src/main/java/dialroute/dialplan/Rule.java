package dialroute.dialplan;

/**
 * One entry of the dial plan: numbers starting with {@code prefix}, when {@code when} holds, get
 * {@code action} after {@code rewrite}. {@code line} is where the rule starts in its file, so
 * decisions can say which rule made them.
 */
public record Rule(String prefix, Conditions when, NumberRewrite rewrite, Action action, int line) {
    public Rule {
        if (!DialString.isDialString(prefix)) {
            throw new IllegalArgumentException("prefix '" + prefix + "' holds characters other than 0-9 * # +");
        }
    }

    public Rule(String prefix, NumberRewrite rewrite, Action action, int line) {
        this(prefix, Conditions.ALWAYS, rewrite, action, line);
    }
}
