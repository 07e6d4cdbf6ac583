package dialroute.dialplan;

/**
 * How a rule changes the dialled number before it goes on the wire: strip leading digits, then
 * prepend (Asterisk's {@code ${EXTEN:1}}, Kamailio's {@code strip()} + {@code prefix()}).
 */
public record NumberRewrite(int strip, String prepend) {
    public static final NumberRewrite NONE = new NumberRewrite(0, "");

    public NumberRewrite {
        if (strip < 0) {
            throw new IllegalArgumentException("strip must be >= 0, was " + strip);
        }
        if (!DialString.isDialString(prepend)) {
            throw new IllegalArgumentException("prepend must hold only dial characters, was '" + prepend + "'");
        }
    }

    /** The rewritten number; empty when stripping removes every digit. */
    public String apply(String number) {
        String rest = strip >= number.length() ? "" : number.substring(strip);
        return rest.isEmpty() ? "" : prepend + rest;
    }
}
