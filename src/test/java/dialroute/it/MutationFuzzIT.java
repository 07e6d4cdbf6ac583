package dialroute.it;

import static dialroute.it.DialrouteDeployment.DIALROUTE_PORT;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.logging.Logger;
import java.util.regex.Pattern;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A seeded mutation fuzzer against the deployed archive (SipMutator): thousands of damaged
 * requests over UDP and TCP. Nothing may answer 500, put Java internals on the wire or a parser's
 * diagnostic in a reason phrase (the container runs the run configuration's SIP stack settings,
 * dialroute.it.RunConfigurationStack); afterwards a
 * proxied call completes and a redirect gets its 302, and the heap (the container runs in this JVM)
 * has not grown beyond a bound. Counts go to the log and to target/fuzz/summary.md.
 *
 * <p>{@code -Ddialroute.fuzz.seed=N} (default 4475) and {@code -Ddialroute.fuzz.count=N} (default
 * 2000) choose the run; scripts/fuzz runs a long one.
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class MutationFuzzIT {
    private static final Logger LOG = Logger.getLogger("dialroute.fuzz");
    private static final Path SUMMARY = Path.of("target/fuzz/summary.md");
    private static final int WORKERS = 16;
    /** How long one message's answer is waited for; later answers are not counted. */
    private static final Duration ANSWER_WAIT = Duration.ofMillis(300);
    /** Growth of used heap after GC, before to after, that counts as unbounded. */
    private static final long HEAP_BOUND = 96L * 1024 * 1024;
    /** Stack traces and Java names. */
    private static final Pattern JAVA_INTERNALS = Pattern.compile(
            "\\tat |\\bjava\\.|\\bjavax\\.|gov\\.nist|org\\.mobicents|org\\.apache|dialroute\\.|[A-Za-z]+Exception\\b");
    /** How the SIP stack itself words a 400 for what its parser refused: never to be seen here. */
    private static final Pattern PARSER_DIAGNOSTIC = Pattern.compile("^SIP/2\\.0 400 Bad Request \\(.*\\)\\r\\n");

    static final Map<String, LongAdder> TIME = new ConcurrentHashMap<>();

    @Deployment(testable = false)
    static WebArchive archive() {
        return DialrouteDeployment.sar();
    }

    @Test
    void mutatedRequestsGetNo500AndNoJavaTextAndCallsStillRouteWithBoundedHeap() throws Exception {
        long seed = Long.getLong("dialroute.fuzz.seed", 4475L);
        long count = Long.getLong("dialroute.fuzz.count", 2000L);
        SipMutator mutator = new SipMutator(seed);
        Map<String, LongAdder> outcomes = new ConcurrentHashMap<>();
        Queue failures = new Queue();
        AtomicLong next = new AtomicLong();

        try (RoutingProbe probe = RoutingProbe.start(5176)) {
            probe.callsStillRoute("udp");
            long heapBefore = usedHeapAfterGc();
            long started = System.nanoTime();
            // The container logs every refused message at ERROR with a stack trace; thousands of them
            // would make the log the bottleneck. Quiet while fuzzing: the counts are the result.
            org.apache.log4j.Level threshold = org.apache.log4j.LogManager.getLoggerRepository().getThreshold();
            org.apache.log4j.LogManager.getLoggerRepository().setThreshold(org.apache.log4j.Level.OFF);

            ExecutorService workers = Executors.newFixedThreadPool(WORKERS);
            for (int w = 0; w < WORKERS; w++) {
                workers.execute(() -> {
                    for (long i = next.getAndIncrement(); i < count; i = next.getAndIncrement()) {
                        try {
                            fuzzOne(mutator, i, outcomes, failures);
                        } catch (IOException | RuntimeException e) {
                            outcomes.computeIfAbsent("client error " + e.getClass().getSimpleName(), k -> new LongAdder()).increment();
                        }
                    }
                });
            }
            workers.shutdown();
            boolean finished = workers.awaitTermination(3, TimeUnit.HOURS);
            org.apache.log4j.LogManager.getLoggerRepository().setThreshold(threshold);
            assertTrue(finished, "fuzzing did not finish");
            double seconds = (System.nanoTime() - started) / 1e9;

            probe.callsStillRoute("udp");
            probe.callsStillRoute("tcp");
            // Transactions answered without an ACK or retransmission window live on for up to 32 s
            // (Timers H and J) with their requests; heap they hold then is no growth. Give them
            // that long to end before calling a difference unbounded.
            long heapAfter = usedHeapAfterGc();
            for (int waited = 0; heapAfter - heapBefore >= HEAP_BOUND && waited < 40; waited += 5) {
                Thread.sleep(5000);
                heapAfter = usedHeapAfterGc();
            }

            String summary = summary(seed, count, seconds, outcomes, heapBefore, heapAfter,
                    failures.total);
            LOG.info(summary);
            Files.createDirectories(SUMMARY.getParent());
            Files.writeString(SUMMARY, summary, StandardCharsets.UTF_8);

            assertTrue(failures.items.isEmpty(), "forbidden answers:\n" + String.join("\n", failures.items));
            assertTrue(heapAfter - heapBefore < HEAP_BOUND, "used heap grew from " + mb(heapBefore) + " to " + mb(heapAfter));
        }
    }

    private static void fuzzOne(SipMutator mutator, long index, Map<String, LongAdder> outcomes, Queue failures)
            throws IOException {
        long t0 = System.nanoTime();
        RawSip.Exchange exchange;
        SipMutator.Mutant mutant;
        if (mutator.mutant(index, 0, true).tcp()) {
            try (RawSip.Tcp tcp = RawSip.Tcp.connect(DIALROUTE_PORT)) {
                mutant = mutator.mutant(index, tcp.localPort(), true);
                tcp.send(mutant.bytes());
                exchange = tcp.awaitFinal(ANSWER_WAIT);
            }
        } else {
            try (RawSip.Udp udp = RawSip.Udp.open(DIALROUTE_PORT)) {
                mutant = mutator.mutant(index, udp.localPort(), true);
                if (mutant.bytes().length > 65_507) {
                    outcomes.computeIfAbsent("UDP too big to send", k -> new LongAdder()).increment();
                    return;
                }
                udp.send(mutant.bytes());
                exchange = udp.awaitFinal(ANSWER_WAIT);
            }
        }
        String transport = mutant.tcp() ? "TCP " : "UDP ";
        int status = exchange.finalStatus();
        String outcome = status > 0 ? String.valueOf(status) : exchange.closed() ? "closed, no answer" : "no answer";
        outcomes.computeIfAbsent(transport + outcome, k -> new LongAdder()).increment();
        TIME.computeIfAbsent(transport + outcome, k -> new LongAdder()).add((System.nanoTime() - t0) / 1_000_000);
        for (String response : exchange.responses()) {
            String what = "#" + index + " " + transport + mutant.template() + " " + mutant.mutations();
            if (RawSip.status(response) == 500) {
                failures.add(what + " -> " + response.lines().findFirst().orElse(""));
            }
            String head = response.split("\r\n\r\n", 2)[0];
            if (JAVA_INTERNALS.matcher(head).find()) {
                failures.add(what + " -> Java internals: " + head);
            } else if (PARSER_DIAGNOSTIC.matcher(response).find()) {
                failures.add(what + " -> a parser diagnostic in the reason phrase: " + response.lines().findFirst().orElse(""));
            }
        }
    }

    private static String summary(long seed, long count, double seconds, Map<String, LongAdder> outcomes, long heapBefore,
            long heapAfter, long failures) {
        StringBuilder text = new StringBuilder();
        text.append("# Mutation fuzz of dialroute\n\n");
        text.append(String.format("seed %d, %d messages in %.1f s (%.0f/s), %d client threads%n%n", seed, count, seconds,
                count / seconds, WORKERS));
        text.append("| transport and outcome | messages | time spent (all client threads) |\n| --- | --- | --- |\n");
        long answered = 0;
        long silent = 0;
        for (Map.Entry<String, LongAdder> e : new TreeMap<>(outcomes).entrySet()) {
            text.append("| ").append(e.getKey()).append(" | ").append(e.getValue().sum()).append(" | ").append(TIME.getOrDefault(e.getKey(), new LongAdder()).sum()).append(" ms |\n");
            if (e.getKey().matches("(UDP|TCP) \\d{3}")) {
                answered += e.getValue().sum();
            } else {
                silent += e.getValue().sum();
            }
        }
        text.append(String.format("%nanswered: %d, no answer (dropped, closed, not sendable): %d%n", answered, silent));
        text.append(String.format("forbidden answers (500, Java internals, a parser diagnostic as reason phrase): %d%n", failures));
        text.append(String.format("used heap after GC: %s before, %s after (bound: +%s)%n", mb(heapBefore), mb(heapAfter), mb(HEAP_BOUND)));
        return text.toString();
    }

    private static long usedHeapAfterGc() throws InterruptedException {
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        long least = Long.MAX_VALUE;
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(200);
            least = Math.min(least, memory.getHeapMemoryUsage().getUsed());
        }
        return least;
    }

    private static String mb(long bytes) {
        return String.format("%.1f MB", bytes / 1024.0 / 1024.0);
    }

    /** Forbidden answers: all counted, the first 50 kept with what was sent. */
    private static final class Queue {
        final List<String> items = new ArrayList<>();
        long total;

        synchronized void add(String item) {
            total++;
            if (items.size() < 50) {
                items.add(item);
            }
        }
    }
}
