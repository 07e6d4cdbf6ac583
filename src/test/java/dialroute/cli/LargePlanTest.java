package dialroute.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dialroute.dialplan.Call;
import dialroute.dialplan.Decision;
import dialroute.dialplan.DialPlan;
import dialroute.dialplan.Rule;
import dialroute.dialplan.yaml.YamlDialPlanReader;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Scale: a plan of 100,000 random prefixes in every mode loads and validates in well under the
 * bound (the target is 2 s; the bound is generous because CI machines are noisy), and lookups on
 * it pick the longest matching prefix. The JMH benchmark in src/jmh/java measures the same
 * precisely.
 */
class LargePlanTest {
    static final int PREFIXES = 100_000;
    static final Duration BOUND = Duration.ofSeconds(10);

    @Test
    void hundredThousandPrefixesLoadFastAndLookUpCorrectly() {
        LargePlan large = LargePlan.generate(PREFIXES, 42);
        YamlDialPlanReader reader = new YamlDialPlanReader();
        long start = System.nanoTime();
        // Preemptive, so a regression (say, a check that compares every rule with every other)
        // fails in 10 s instead of holding the build for minutes.
        DialPlan plan = assertTimeoutPreemptively(BOUND, () -> reader.read("large.yaml", large.yaml),
                () -> "loading " + PREFIXES + " prefixes took over " + BOUND.toSeconds() + " s");
        long millis = (System.nanoTime() - start) / 1_000_000;
        System.out.printf("LargePlanTest: loaded and validated %,d prefixes (%,d characters of YAML) in %,d ms%n",
                PREFIXES, large.yaml.length(), millis);
        assertEquals(PREFIXES, plan.rules().size());

        Set<String> prefixes = new HashSet<>(large.prefixes);
        String[] numbers = large.numbers(20_000, 7);
        SplittableRandom random = new SplittableRandom(1);
        Instant at = Instant.parse("2026-11-30T09:00:00Z");
        Decision[] decisions = new Decision[numbers.length];
        long lookupStart = System.nanoTime();
        for (int i = 0; i < numbers.length; i++) {
            decisions[i] = plan.route(new Call(numbers[i], "1000", null, at), random);
        }
        long lookupNanos = System.nanoTime() - lookupStart;
        int matched = 0;
        for (int i = 0; i < numbers.length; i++) {
            String number = numbers[i];
            String expected = large.longestPrefixByScan(number, prefixes);
            if (expected == null) {
                assertNull(decisions[i].rule(), number);
                assertEquals("Reject[status=404, reason=Not Found]", decisions[i].action().toString(), number);
            } else {
                Rule rule = decisions[i].rule();
                assertNotNull(rule, number);
                assertEquals(expected, rule.prefix(), number);
                matched++;
            }
        }
        System.out.printf("LargePlanTest: %,d lookups (%,d matched a rule) took %.0f ns each, unwarmed (JMH measures it properly)%n",
                numbers.length, matched, (double) lookupNanos / numbers.length);
    }
}
