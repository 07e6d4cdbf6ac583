package dialroute.cli;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * A generated dial plan with many distinct random digit prefixes in every mode, as YAML text, for
 * the scale test and the JMH benchmark. The same seed always gives the same plan.
 *
 * <p>Mix of rules: 40% proxy to one named destination, 10% proxy to an inline URI (some over TCP),
 * 10% sequential proxy over two destinations with failover, 10% proxy through a weighted group,
 * 5% parallel, 15% redirect (some with two q-valued Contacts), 10% reject; a quarter of
 * the proxy and redirect rules strip one digit.
 */
public final class LargePlan {
    /** The prefixes, in the order the rules list them. */
    public final List<String> prefixes;
    /** The plan as YAML. */
    public final String yaml;

    private LargePlan(List<String> prefixes, String yaml) {
        this.prefixes = prefixes;
        this.yaml = yaml;
    }

    /**
     * @param count distinct prefixes, each 2 to 8 digits long
     */
    public static LargePlan generate(int count, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        Set<String> distinct = new LinkedHashSet<>(count * 2);
        while (distinct.size() < count) {
            int length = 2 + random.nextInt(7);
            StringBuilder p = new StringBuilder(length);
            for (int i = 0; i < length; i++) {
                p.append((char) ('0' + random.nextInt(10)));
            }
            distinct.add(p.toString());
        }
        List<String> prefixes = new ArrayList<>(distinct);
        StringBuilder y = new StringBuilder(count * 90);
        y.append("# generated: ").append(count).append(" prefixes, seed ").append(seed).append('\n');
        y.append("destinations:\n");
        for (int i = 0; i < 20; i++) {
            y.append("  gw").append(i).append(": sip:10.0.").append(i / 10).append('.').append(i % 10 + 1).append(":5060\n");
        }
        y.append("groups:\n");
        y.append("  carrier:\n    strategy: weighted\n    members:\n");
        y.append("      - {destination: gw0, weight: 70}\n      - {destination: gw1, weight: 30}\n");
        y.append("rules:\n");
        for (String prefix : prefixes) {
            int kind = random.nextInt(100);
            String strip = random.nextInt(4) == 0 ? ", strip: 1" : "";
            String gw = "gw" + random.nextInt(20);
            y.append("  - {prefix: \"").append(prefix).append("\", ");
            if (kind < 40) {
                y.append("mode: proxy, target: ").append(gw).append(strip);
            } else if (kind < 50) {
                y.append("mode: proxy, target: \"sip:192.0.2.").append(1 + random.nextInt(254)).append(":5060")
                        .append(random.nextBoolean() ? ";transport=tcp" : "").append('"').append(strip);
            } else if (kind < 60) {
                y.append("mode: proxy, strategy: sequential, targets: [").append(gw).append(", gw19], failover-on: [408, 5xx]")
                        .append(strip);
            } else if (kind < 70) {
                y.append("mode: proxy, target: carrier").append(strip);
            } else if (kind < 75) {
                y.append("mode: proxy, strategy: parallel, targets: [").append(gw).append(", gw18]").append(strip);
            } else if (kind < 90) {
                if (kind < 77) {
                    y.append("mode: redirect, targets: [{to: ").append(gw).append(", q: 1.0}, {to: gw17, q: 0.5}]").append(strip);
                } else {
                    y.append("mode: redirect, target: ").append(gw).append(strip);
                }
            } else {
                y.append("mode: reject, status: ").append(random.nextBoolean() ? "403" : "503");
            }
            y.append("}\n");
        }
        return new LargePlan(List.copyOf(prefixes), y.toString());
    }

    /**
     * Numbers of 8 to 15 digits: most start with a prefix of the plan (so a rule matches, possibly
     * a longer one than the prefix they were built from), the rest are random digits.
     */
    public String[] numbers(int count, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        String[] numbers = new String[count];
        for (int n = 0; n < count; n++) {
            int length = 8 + random.nextInt(8);
            StringBuilder s = new StringBuilder(length);
            if (random.nextInt(10) < 8) {
                s.append(prefixes.get(random.nextInt(prefixes.size())));
            }
            while (s.length() < length) {
                s.append((char) ('0' + random.nextInt(10)));
            }
            numbers[n] = s.toString();
        }
        return numbers;
    }

    /** The longest prefix of {@code number} among the plan's, found the slow way; null if none. */
    public String longestPrefixByScan(String number, Set<String> prefixSet) {
        for (int length = number.length(); length >= 0; length--) {
            String p = number.substring(0, length);
            if (prefixSet.contains(p)) {
                return p;
            }
        }
        return null;
    }
}
