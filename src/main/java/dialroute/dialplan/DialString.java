package dialroute.dialplan;

import java.util.Optional;

/**
 * What counts as a dialled number: the digits 0-9 plus {@code * # +}, the characters a phone keypad
 * and E.164 use. Prefixes in the plan are written with the same characters.
 */
public final class DialString {
    /** The characters a prefix or number may hold, in the order the prefix table indexes them. */
    static final String DIAL_CHARS = "0123456789*#+";

    private DialString() {
    }

    public static boolean isDialChar(char c) {
        return DIAL_CHARS.indexOf(c) >= 0;
    }

    public static boolean isDialString(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (!isDialChar(s.charAt(i))) {
                return false;
            }
        }
        return true;
    }

    /**
     * The dialled number in a Request-URI user part or tel: number, or empty when it is not a number
     * (e.g. {@code alice}). Visual separators ({@code - . ( )}, RFC 3966 section 5.1.1) are dropped
     * because users and PBXs write them but they never select a route.
     */
    public static Optional<String> normalize(String userPart) {
        StringBuilder number = new StringBuilder(userPart.length());
        for (int i = 0; i < userPart.length(); i++) {
            char c = userPart.charAt(i);
            if (c == '-' || c == '.' || c == '(' || c == ')') {
                continue;
            }
            if (!isDialChar(c)) {
                return Optional.empty();
            }
            number.append(c);
        }
        return number.length() == 0 ? Optional.empty() : Optional.of(number.toString());
    }
}
