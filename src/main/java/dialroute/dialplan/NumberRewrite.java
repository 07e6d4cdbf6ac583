package dialroute.dialplan;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How the dialled number changes before it goes on the wire, in this order: strip leading digits,
 * prepend digits, then translate by regular expression (Asterisk's {@code ${EXTEN:1}}, Kamailio's
 * {@code strip()}, {@code prefix()} and {@code subst()}).
 *
 * @param translate a regex and its replacement, or null; a number it does not match is left as is
 */
public record NumberRewrite(int strip, String prepend, Translation translate) {
    public static final NumberRewrite NONE = new NumberRewrite(0, "", null);

    public NumberRewrite(int strip, String prepend) {
        this(strip, prepend, null);
    }

    public NumberRewrite {
        if (strip < 0) {
            throw new IllegalArgumentException("strip must be >= 0, was " + strip);
        }
        if (!DialString.isDialString(prepend)) {
            throw new IllegalArgumentException("prepend must hold only dial characters, was '" + prepend + "'");
        }
    }

    public boolean isNone() {
        return strip == 0 && prepend.isEmpty() && translate == null;
    }

    /** The rewritten number; empty when stripping removes every digit. */
    public String apply(String number) {
        String rest = strip >= number.length() ? "" : number.substring(strip);
        if (rest.isEmpty()) {
            return "";
        }
        String result = prepend + rest;
        return translate == null ? result : translate.apply(result);
    }

    @Override
    public String toString() {
        StringBuilder s = new StringBuilder();
        if (strip > 0) {
            s.append("strip ").append(strip);
        }
        if (!prepend.isEmpty()) {
            s.append(s.length() > 0 ? ", " : "").append("prepend ").append(prepend);
        }
        if (translate != null) {
            s.append(s.length() > 0 ? ", " : "").append(translate);
        }
        return s.length() == 0 ? "unchanged" : s.toString();
    }

    /**
     * A regex translation: {@code ^3(\d+)$} with {@code +44$1} turns 3201 into +44201. The whole
     * number must match; {@code $1}..{@code $9} insert groups.
     */
    public record Translation(Pattern match, String replace) {
        private static final Pattern GROUP_REFERENCE = Pattern.compile("\\$(\\d)");

        /**
         * @throws IllegalArgumentException when the regex does not compile or the replacement names
         *                                  a group the regex lacks
         */
        public static Translation of(String match, String replace) {
            Pattern pattern;
            try {
                pattern = Pattern.compile(match);
            } catch (java.util.regex.PatternSyntaxException e) {
                throw new IllegalArgumentException("regex '" + match + "' does not compile: " + e.getDescription()
                        + (e.getIndex() >= 0 ? " at index " + e.getIndex() : ""));
            }
            int groups = pattern.matcher("").groupCount();
            Matcher ref = GROUP_REFERENCE.matcher(replace);
            while (ref.find()) {
                int group = Integer.parseInt(ref.group(1));
                if (group > groups) {
                    throw new IllegalArgumentException("replacement '" + replace + "' uses $" + group + " but regex '" + match
                            + "' has " + (groups == 1 ? "1 group" : groups + " groups"));
                }
            }
            if (replace.replaceAll("\\$\\d", "").chars().anyMatch(c -> !DialString.isDialChar((char) c))) {
                throw new IllegalArgumentException("replacement '" + replace + "' holds characters other than 0-9 * # + and $1..$9");
            }
            return new Translation(pattern, replace);
        }

        String apply(String number) {
            Matcher m = match.matcher(number);
            return m.matches() ? m.replaceFirst(replace) : number;
        }

        @Override
        public String toString() {
            return "translate " + match.pattern() + " -> " + replace;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Translation t && t.match.pattern().equals(match.pattern()) && t.replace.equals(replace);
        }

        @Override
        public int hashCode() {
            return match.pattern().hashCode() * 31 + replace.hashCode();
        }
    }
}
