package dialroute.dialplan;

import java.util.BitSet;
import java.util.List;

/** An immutable set of SIP status codes, written as codes ({@code 408}) or classes ({@code 5xx}). */
public final class StatusCodes {
    private final BitSet codes;
    private final List<String> specs;

    private StatusCodes(BitSet codes, List<String> specs) {
        this.codes = codes;
        this.specs = specs;
    }

    /** The codes and classes as written, e.g. [408, 480, 5xx]. */
    public List<String> specs() {
        return specs;
    }

    /**
     * @param specs codes such as "408" or classes such as "5xx"
     * @throws IllegalArgumentException naming the entry that is neither
     */
    public static StatusCodes of(String... specs) {
        BitSet codes = new BitSet(700);
        for (String spec : specs) {
            String s = spec.trim().toLowerCase();
            if (s.matches("[1-6]xx")) {
                int base = (s.charAt(0) - '0') * 100;
                codes.set(base, base + 100);
            } else if (s.matches("[1-6][0-9][0-9]")) {
                codes.set(Integer.parseInt(s));
            } else {
                throw new IllegalArgumentException("'" + spec + "' is not a status code (e.g. 408) or class (e.g. 5xx)");
            }
        }
        return new StatusCodes(codes, List.of(specs));
    }

    public boolean contains(int status) {
        return status >= 0 && codes.get(status);
    }

    /** True if any code of the class {@code hundreds}xx is in the set. */
    public boolean touchesClass(int hundreds) {
        int next = codes.nextSetBit(hundreds * 100);
        return next >= 0 && next < hundreds * 100 + 100;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof StatusCodes other && other.codes.equals(codes);
    }

    @Override
    public int hashCode() {
        return codes.hashCode();
    }

    @Override
    public String toString() {
        return String.join(", ", specs);
    }
}
