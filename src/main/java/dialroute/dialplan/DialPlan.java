package dialroute.dialplan;

import java.util.List;
import java.util.Objects;

/**
 * A validated, immutable dial plan: rules selected by longest matching prefix. Build it with
 * {@link #of}; a reload builds a new one and swaps it in ({@link ActiveDialPlan}). The source (a
 * file path) and version (a short content hash) let logs say exactly which plan is serving.
 */
public final class DialPlan {

    static final Action.Reject NO_ROUTE = new Action.Reject(404, "Not Found");
    static final Action.Reject NUMBER_TOO_SHORT = new Action.Reject(484, "Address Incomplete");

    /**
     * @throws IllegalArgumentException when two rules share a prefix (the YAML reader reports that
     *                                  earlier, with both lines)
     */
    public static DialPlan of(String source, String version, List<Rule> rules) {
        PrefixTable<Rule> table = new PrefixTable<>();
        for (Rule rule : rules) {
            Rule previous = table.put(rule.prefix(), rule);
            if (previous != null) {
                throw new IllegalArgumentException("prefix '" + rule.prefix() + "' appears twice (lines "
                        + previous.line() + " and " + rule.line() + ")");
            }
        }
        return new DialPlan(source, version, List.copyOf(rules), table);
    }

    private final String source;
    private final String version;
    private final List<Rule> rules;
    private final PrefixTable<Rule> table;

    private DialPlan(String source, String version, List<Rule> rules, PrefixTable<Rule> table) {
        this.source = Objects.requireNonNull(source);
        this.version = Objects.requireNonNull(version);
        this.rules = rules;
        this.table = table;
    }

    public String source() {
        return source;
    }

    public String version() {
        return version;
    }

    /** The rules in the order the file lists them. */
    public List<Rule> rules() {
        return rules;
    }

    /**
     * Decides what happens to a call addressed to {@code userPart}, the user part of a Request-URI
     * or the number of a tel: URI as received: none at all is {@code 484 Address Incomplete}
     * (RFC 3261 section 21.4.22); a user that is not a number (e.g. {@code alice}) has no route.
     */
    public Decision route(String userPart) {
        if (userPart == null || userPart.isEmpty()) {
            return new Decision("", "", NUMBER_TOO_SHORT, null);
        }
        return DialString.normalize(userPart)
                .map(this::lookup)
                .orElseGet(() -> new Decision(userPart, userPart, NO_ROUTE, null));
    }

    /** Decides what happens to a call to {@code dialled}: longest prefix wins, then the rule's rewrite. */
    public Decision lookup(String dialled) {
        Rule rule = table.longestMatch(dialled);
        if (rule == null) {
            return new Decision(dialled, dialled, NO_ROUTE, null);
        }
        String number = rule.rewrite().apply(dialled);
        if (number.isEmpty() && !(rule.action() instanceof Action.Reject)) {
            // Stripping left nothing to dial: the caller has not dialled enough digits yet.
            return new Decision(dialled, number, NUMBER_TOO_SHORT, rule);
        }
        return new Decision(dialled, number, rule.action(), rule);
    }

    @Override
    public String toString() {
        return source + " (version " + version + ", " + rules.size() + (rules.size() == 1 ? " rule)" : " rules)");
    }
}
