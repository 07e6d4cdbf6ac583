package dialroute.dialplan;

/**
 * One entry of the dial plan: numbers starting with {@code prefix}, when {@code when} holds, get
 * {@code action} after {@code rewrite}. {@code line} is where the rule starts in its file, so
 * decisions can say which rule made them; {@code description} is the admin's own note, or null.
 */
public record Rule(String prefix, Conditions when, NumberRewrite rewrite, Action action, int line, String description) {
    public Rule {
        if (!DialString.isDialString(prefix)) {
            throw new IllegalArgumentException("prefix '" + prefix + "' holds characters other than 0-9 * # +");
        }
    }

    public Rule(String prefix, NumberRewrite rewrite, Action action, int line) {
        this(prefix, Conditions.ALWAYS, rewrite, action, line, null);
    }
}
