package dialroute.dialplan;

/**
 * One entry of the dial plan: numbers starting with {@code prefix}, when {@code when} holds, get
 * {@code action} after {@code rewrite}. {@code line} is where the rule starts in its file, so
 * decisions can say which rule made them; {@code description} is the admin's own note, or null.
 * {@code unavailable} says what happens when every destination of the rule is down or disabled.
 */
public record Rule(String prefix, Conditions when, NumberRewrite rewrite, Action action, int line, String description,
                   WhenUnavailable unavailable) {
    public Rule {
        if (!DialString.isDialString(prefix)) {
            throw new IllegalArgumentException("prefix '" + prefix + "' holds characters other than 0-9 * # +");
        }
        if (unavailable == null) {
            unavailable = WhenUnavailable.REFUSE;
        }
    }

    public Rule(String prefix, Conditions when, NumberRewrite rewrite, Action action, int line, String description) {
        this(prefix, when, rewrite, action, line, description, WhenUnavailable.REFUSE);
    }

    public Rule(String prefix, NumberRewrite rewrite, Action action, int line) {
        this(prefix, Conditions.ALWAYS, rewrite, action, line, null);
    }

    /** What a proxy or redirect rule does when none of its destinations may get calls. */
    public enum WhenUnavailable {
        /** Answer 503 Service Unavailable with Retry-After: the caller (a PBX) tries another route or later. */
        REFUSE,
        /** Go on searching as if the rule's conditions had failed: the next rule of the prefix, then shorter prefixes. */
        NEXT_RULE
    }
}
