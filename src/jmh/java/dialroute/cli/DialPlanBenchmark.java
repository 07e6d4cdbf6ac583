package dialroute.cli;

import dialroute.dialplan.Call;
import dialroute.dialplan.Decision;
import dialroute.dialplan.DialPlan;
import dialroute.health.DestinationHealth;
import dialroute.dialplan.InvalidDialPlanException;
import dialroute.dialplan.yaml.YamlDialPlanReader;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The dial plan at scale: loading and validating a plan of 100,000 prefixes (YAML text to a
 * {@link DialPlan}), and one routing decision on that plan for numbers of 8 to 15 digits.
 * Run with {@code mvn -B -Pjmh -DskipTests test-compile exec:exec} (see the pom's jmh profile).
 */
@Fork(value = 1, jvmArgsAppend = {"-Xms4g", "-Xmx4g"})
public class DialPlanBenchmark {
    static final int PREFIXES = 100_000;

    /** The plan's text, generated once. */
    @State(Scope.Benchmark)
    public static class PlanText {
        byte[] yaml;

        @Setup
        public void generate() {
            yaml = LargePlan.generate(PREFIXES, 42).yaml.getBytes(StandardCharsets.UTF_8);
        }
    }

    /** The loaded plan and 4,096 calls to route (most match one of its prefixes). */
    @State(Scope.Thread)
    public static class Loaded {
        DialPlan plan;
        Call[] calls;
        SplittableRandom random;
        int next;
        /** The server's health model with one destination disabled, so every hop is looked up. */
        DestinationHealth health = new DestinationHealth();

        @Setup
        public void load() throws InvalidDialPlanException {
            LargePlan large = LargePlan.generate(PREFIXES, 42);
            plan = new YamlDialPlanReader().read("large.yaml", large.yaml);
            String[] numbers = large.numbers(4096, 7);
            Instant at = Instant.parse("2026-11-30T09:00:00Z");
            calls = new Call[numbers.length];
            for (int i = 0; i < numbers.length; i++) {
                calls[i] = new Call(numbers[i], "1000", null, at);
            }
            random = new SplittableRandom(1);
            health.setEnabled("not-in-the-plan", false);
        }
    }

    /** Parse, validate and index 100,000 prefixes: what a (re)load costs. */
    @Benchmark
    @BenchmarkMode(Mode.AverageTime)
    @OutputTimeUnit(TimeUnit.MILLISECONDS)
    @Warmup(iterations = 3, time = 5)
    @Measurement(iterations = 5, time = 5)
    public DialPlan load100kPrefixes(PlanText text) throws InvalidDialPlanException {
        return new YamlDialPlanReader().read("large.yaml", text.yaml);
    }

    /** One decision, as RoutingServlet asks for it per INVITE: longest prefix, rewrite, targets. */
    @Benchmark
    @BenchmarkMode(Mode.AverageTime)
    @OutputTimeUnit(TimeUnit.NANOSECONDS)
    @Warmup(iterations = 3, time = 2)
    @Measurement(iterations = 5, time = 2)
    public Decision route(Loaded state) {
        Call call = state.calls[state.next++ & (state.calls.length - 1)];
        return state.plan.route(call, state.random);
    }

    /** {@link #route} as the server calls it: with the health model asked about every destination. */
    @Benchmark
    @BenchmarkMode(Mode.AverageTime)
    @OutputTimeUnit(TimeUnit.NANOSECONDS)
    @Warmup(iterations = 3, time = 2)
    @Measurement(iterations = 5, time = 2)
    public Decision routeWithHealth(Loaded state) {
        Call call = state.calls[state.next++ & (state.calls.length - 1)];
        return state.plan.route(call, state.random, state.health);
    }
}
