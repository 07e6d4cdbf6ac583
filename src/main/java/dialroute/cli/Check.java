package dialroute.cli;

import dialroute.dialplan.Availability;
import dialroute.dialplan.Call;
import dialroute.dialplan.Destination;
import dialroute.dialplan.DialPlan;
import dialroute.dialplan.IpLiteral;
import dialroute.dialplan.DialPlanProblem;
import dialroute.dialplan.Explanation;
import dialroute.dialplan.InvalidDialPlanException;
import dialroute.dialplan.yaml.YamlDialPlanReader;
import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Random;
import java.util.random.RandomGenerator;

/**
 * The offline what-if command, {@code scripts/check}: validates a dial plan, and explains what the
 * plan does with one call, with no container and no network.
 *
 * <pre>
 * check PLAN                  validate: "PLAN: valid, version V, N rules, M destinations and groups", exit 0;
 *                             or every problem as file:line:column: message, exit 1
 * check PLAN --number N [--caller C] [--source IP] [--at TIME] [--seed S] [--down D,D] [--disabled D,D] [--json]
 *                             the rule that matched and why, the rewritten number, what goes on the wire
 * </pre>
 *
 * <ul>
 *   <li>{@code --caller}: the From user part; {@code --source}: the address the INVITE came from, an
 *       IPv4 or IPv6 literal (never a host name: nothing here asks DNS); {@code --at}: when the call
 *       arrives, {@code 2026-11-30T09:00:00Z} or {@code 2026-11-30T10:00:00+01:00} (default: now).</li>
 *   <li>{@code --seed S}: weighted targets get an order drawn by weight for each call. Without a seed
 *       nothing is drawn and the order shown is the listed one (as if the first listed won every
 *       draw). With a seed, one call's order is drawn with {@code new java.util.Random(S)}: the same
 *       seed always shows the same order; the server draws with its own random source.</li>
 *   <li>{@code --down}, {@code --disabled}: named destinations to treat as down (failed probes) or
 *       disabled by the admin, as a running server would: left out of the call, and a rule left
 *       with none answers 503 with Retry-After or lets the search go on (its {@code unavailable}).</li>
 *   <li>Exit codes: 0 answered, 1 the plan is invalid (problems listed), 2 bad arguments (one line
 *       on standard error).</li>
 * </ul>
 *
 * <h2>JSON ({@code --json})</h2>
 * Field names are stable; a field that does not apply is present with {@code null}.
 * <p>Validation: {@code plan} (path as given), {@code valid} (true), {@code version} (content hash),
 * {@code rules}, {@code destinations_and_groups}; or {@code plan}, {@code valid} (false),
 * {@code problems}: [{@code file, line, column, message}] (line and column 0: the whole file).
 * <p>What-if, an object with:
 * <ul>
 *   <li>{@code plan}, {@code valid} (true), {@code version}</li>
 *   <li>{@code call}: {@code number} (as given), {@code caller}, {@code source}, {@code at} (ISO
 *       instant), {@code seed}</li>
 *   <li>{@code dialled}: the number with separators removed</li>
 *   <li>{@code candidates}: every rule whose prefix matches, longest prefix first, each
 *       {@code prefix, line, description, verdict} ({@code chosen | conditions_failed |
 *       destinations_unavailable | not_needed})
 *       and {@code conditions}: [{@code condition, held, observed}] ({@code observed}: what the call
 *       showed, e.g. "caller 2000")</li>
 *   <li>{@code rule}: {@code prefix, line, description} of the rule that decided, or null</li>
 *   <li>{@code number}: the number after the rule's rewrite; {@code rewrite}: the rule's rewrite
 *       ("strip 1", "unchanged"), null without a rule</li>
 *   <li>{@code action}: {@code proxy | redirect | reject}; exactly one of the next three is non-null</li>
 *   <li>{@code proxy}: {@code strategy} (as the rule says: sequential, parallel, weighted),
 *       {@code forking} (what the SIP layer does: {@code sequential} one target at a time,
 *       {@code parallel} all at once, {@code single} one target), {@code record_route},
 *       {@code weighted} (an order is drawn by weight), {@code order} ({@code listed | drawn}),
 *       {@code targets}: the rule's targets as written, each {@code name, kind} ({@code destination |
 *       group}), {@code uri}, {@code weight}, {@code first_share_percent} (share of calls in which it
 *       comes first in its draw), {@code strategy} and {@code members} (groups); {@code chain}: the
 *       branches in the order tried, each {@code uri} (the Request-URI sent, with
 *       {@code ;transport=udp} when the target names no transport), {@code destination},
 *       {@code target} (the URI as written), {@code number}, {@code destination_rewrite};
 *       {@code failover}: {@code on} (statuses, e.g. ["408", "480", "5xx"]) and
 *       {@code provisional_timeout_seconds}, or null when it does not apply (parallel, single)</li>
 *   <li>{@code redirect}: {@code status}, {@code reason}, {@code contacts}: [{@code uri, destination,
 *       target, q, expires, header}] ({@code header}: the Contact value as sent)</li>
 *   <li>{@code reject}: {@code status}, {@code reason} (as sent), {@code cause} ({@code rule |
 *       no_route | not_a_number | no_number | nothing_left | unavailable}), {@code retry_after}
 *       (seconds, only with a Retry-After header)</li>
 *   <li>{@code skipped}: the destinations left out of this call, e.g. ["pstn (down)"]</li>
 * </ul>
 */
public final class Check {
    static final String USAGE = "Usage: check PLAN [--number N [--caller C] [--source IP] [--at ISO-TIME] [--seed S]"
            + " [--down NAME,...] [--disabled NAME,...]] [--json]";

    /** Starts with a hex digit or a colon and holds a colon: what InetAddress parses as a literal, never looks up. */

    /** What a run printed and its exit code. */
    public record Result(int exitCode, String out, String err) {
    }

    private Check() {
    }

    public static void main(String[] args) {
        Result result = run(args);
        System.out.print(result.out());
        System.out.flush();
        System.err.print(result.err());
        System.err.flush();
        System.exit(result.exitCode());
    }

    /** Runs the command without exiting: for tests and tools. */
    public static Result run(String... args) {
        Options options;
        try {
            options = Options.parse(args);
        } catch (UsageException e) {
            return new Result(2, "", "check: " + e.getMessage() + ". " + USAGE + "\n");
        }
        if (options.help) {
            return new Result(0, USAGE + "\n", "");
        }
        DialPlan plan;
        byte[] content = null;
        try {
            Path path = Path.of(options.plan);
            try {
                content = Files.readAllBytes(path);
                plan = new YamlDialPlanReader().read(path.toString(), content);
            } catch (IOException e) {
                plan = new YamlDialPlanReader().read(path); // says what is wrong with the file, as the server would
            }
        } catch (InvalidPathException e) {
            return new Result(2, "", "check: '" + options.plan + "' is not a file path. " + USAGE + "\n");
        } catch (InvalidDialPlanException e) {
            List<DialPlanProblem> problems = e.problems();
            if (options.json) {
                return new Result(1, JsonOutput.invalid(options.plan, problems), "");
            }
            StringBuilder out = new StringBuilder();
            problems.forEach(p -> out.append(p).append('\n'));
            return new Result(1, out.toString(),
                    options.plan + ": invalid, " + problems.size() + (problems.size() == 1 ? " problem" : " problems") + "\n");
        }
        if (options.number == null) {
            if (options.json) {
                return new Result(0, JsonOutput.valid(options.plan, plan), "");
            }
            int rules = plan.rules().size();
            return new Result(0, options.plan + ": valid, version " + plan.version() + ", " + rules + (rules == 1 ? " rule, " : " rules, ")
                    + plan.endpoints().size() + " destinations and groups\n", "");
        }
        Call call = new Call(options.number, options.caller, options.source, options.at);
        RandomGenerator random = options.seed == null ? DialPlan.LISTED_ORDER : new Random(options.seed);
        Availability availability;
        try {
            availability = availability(plan, options.down, options.disabled);
        } catch (UsageException e) {
            return new Result(2, "", "check: " + e.getMessage() + ". " + USAGE + "\n");
        }
        Explanation explanation = plan.explain(call, random, availability);
        WhatIf.Input input = new WhatIf.Input(options.number, options.caller,
                options.source == null ? null : options.source.getHostAddress(), options.at.toString(), options.seed);
        WhatIf whatIf = WhatIf.of(plan, options.plan, explanation, input);
        return new Result(0, options.json ? JsonOutput.whatIf(whatIf) : TextOutput.render(whatIf), "");
    }

    /** The destinations named by --down and --disabled, which must be destinations of the plan. */
    static Availability availability(DialPlan plan, List<String> down, List<String> disabled) throws UsageException {
        java.util.Set<String> names = new java.util.TreeSet<>();
        plan.endpoints().forEach((name, e) -> {
            if (e instanceof Destination) {
                names.add(name);
            }
        });
        for (String name : concat(down, disabled)) {
            if (!names.contains(name)) {
                throw new UsageException("'" + name + "' is not a destination of the plan"
                        + (names.isEmpty() ? "; it declares none" : "; declared are " + String.join(", ", names)));
            }
        }
        if (down.isEmpty() && disabled.isEmpty()) {
            return Availability.EVERY;
        }
        return d -> disabled.contains(d.name()) ? Availability.Unavailable.DISABLED
                : down.contains(d.name()) ? Availability.Unavailable.DOWN : null;
    }

    private static List<String> concat(List<String> a, List<String> b) {
        List<String> all = new java.util.ArrayList<>(a);
        all.addAll(b);
        return all;
    }

    /** An IPv4 or IPv6 address literal, an IPv6 one optionally in brackets; never looked up ({@link IpLiteral}). */
    static InetAddress parseAddress(String text) throws UsageException {
        return IpLiteral.parseHost(text).orElseThrow(() -> notAnAddress(text));
    }

    private static UsageException notAnAddress(String text) {
        return new UsageException("--source '" + text + "' is not an IPv4 or IPv6 address (a literal such as 192.0.2.1 or 2001:db8::1;"
                + " host names are not looked up)");
    }

    /** An ISO instant ({@code ...Z}) or a date-time with an offset, and optionally a zone. */
    static Instant parseTime(String text) throws UsageException {
        try {
            return Instant.parse(text);
        } catch (DateTimeException ignored) {
            // try the next form
        }
        try {
            return OffsetDateTime.parse(text).toInstant();
        } catch (DateTimeException ignored) {
            // try the next form
        }
        try {
            return ZonedDateTime.parse(text).toInstant();
        } catch (DateTimeException e) {
            throw new UsageException("--at '" + text + "' is not an ISO time with Z or an offset, such as 2026-11-30T09:00:00Z"
                    + " or 2026-11-30T10:00:00+01:00");
        }
    }

    /** A mistake in the command line; its message is one line. */
    static final class UsageException extends Exception {
        UsageException(String message) {
            super(message);
        }
    }

    /** The parsed command line. */
    static final class Options {
        String plan;
        String number;
        String caller;
        InetAddress source;
        Instant at;
        Long seed;
        boolean json;
        boolean help;
        List<String> down = List.of();
        List<String> disabled = List.of();

        static Options parse(String[] args) throws UsageException {
            Options o = new Options();
            String atText = null;
            String sourceText = null;
            String seedText = null;
            String downText = null;
            String disabledText = null;
            for (int i = 0; i < args.length; i++) {
                String arg = args[i];
                if (arg.equals("--help") || arg.equals("-h")) {
                    o.help = true;
                    continue;
                }
                if (arg.equals("--json")) {
                    o.json = true;
                    continue;
                }
                if (!arg.startsWith("-") || arg.equals("-")) {
                    if (o.plan != null) {
                        throw new UsageException("unexpected argument '" + arg + "' (one PLAN only)");
                    }
                    o.plan = arg;
                    continue;
                }
                String name = arg;
                String value = null;
                int eq = arg.indexOf('=');
                if (arg.startsWith("--") && eq > 0) {
                    name = arg.substring(0, eq);
                    value = arg.substring(eq + 1);
                }
                if (!List.of("--number", "--caller", "--source", "--at", "--seed", "--down", "--disabled").contains(name)) {
                    throw new UsageException("unknown option '" + name + "'");
                }
                if (value == null) {
                    if (i + 1 >= args.length || args[i + 1].startsWith("--")) {
                        throw new UsageException(name + " needs a value");
                    }
                    value = args[++i];
                }
                switch (name) {
                    case "--number" -> o.number = once(name, o.number, value);
                    case "--caller" -> o.caller = once(name, o.caller, value);
                    case "--source" -> sourceText = once(name, sourceText, value);
                    case "--at" -> atText = once(name, atText, value);
                    case "--down" -> downText = once(name, downText, value);
                    case "--disabled" -> disabledText = once(name, disabledText, value);
                    default -> seedText = once(name, seedText, value);
                }
            }
            if (o.help) {
                return o;
            }
            if (o.plan == null) {
                throw new UsageException("no PLAN given");
            }
            if (o.number == null) {
                for (String given : new String[] {o.caller == null ? null : "--caller", sourceText == null ? null : "--source",
                        atText == null ? null : "--at", seedText == null ? null : "--seed", downText == null ? null : "--down",
                        disabledText == null ? null : "--disabled"}) {
                    if (given != null) {
                        throw new UsageException(given + " needs --number");
                    }
                }
            }
            o.down = names(downText);
            o.disabled = names(disabledText);
            o.source = sourceText == null ? null : parseAddress(sourceText);
            o.at = atText == null ? Instant.now().truncatedTo(ChronoUnit.SECONDS) : parseTime(atText);
            if (seedText != null) {
                try {
                    o.seed = Long.parseLong(seedText);
                } catch (NumberFormatException e) {
                    throw new UsageException("--seed '" + seedText + "' is not a whole number");
                }
            }
            return o;
        }

        private static List<String> names(String text) {
            if (text == null) {
                return List.of();
            }
            return java.util.Arrays.stream(text.split(",")).map(String::trim).filter(n -> !n.isEmpty()).toList();
        }

        private static String once(String name, String previous, String value) throws UsageException {
            if (previous != null) {
                throw new UsageException(name + " is given twice");
            }
            return value;
        }
    }
}
