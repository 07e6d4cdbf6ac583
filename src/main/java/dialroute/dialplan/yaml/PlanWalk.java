package dialroute.dialplan.yaml;

import dialroute.dialplan.Action;
import dialroute.dialplan.Conditions;
import dialroute.dialplan.Destination;
import dialroute.dialplan.DestinationGroup;
import dialroute.dialplan.DialPlan;
import dialroute.dialplan.DialPlanProblem;
import dialroute.dialplan.DialString;
import dialroute.dialplan.Endpoint;
import dialroute.dialplan.Failover;
import dialroute.dialplan.NumberRewrite;
import dialroute.dialplan.Probe;
import dialroute.dialplan.Rule;
import dialroute.dialplan.StatusCodes;
import dialroute.dialplan.Strategy;
import dialroute.dialplan.Target;
import dialroute.dialplan.Weighted;
import java.time.DateTimeException;
import java.time.DayOfWeek;
import java.time.Duration;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.ScalarNode;

/** One pass over a plan's node tree: builds the plan and collects every problem on the way. */
final class PlanWalk {
    private static final List<String> TOP_KEYS = List.of("probing", "destinations", "groups", "rules");
    private static final List<String> PROBE_KEYS = List.of("interval", "timeout", "down-after", "up-after", "accept");
    private static final List<String> DESTINATION_KEYS = List.of("uri", "description", "strip", "prepend", "translate", "probe");
    private static final List<String> GROUP_KEYS = List.of("strategy", "members", "description");
    private static final List<String> MEMBER_KEYS = List.of("destination", "weight");
    private static final List<String> RULE_KEYS = List.of("prefix", "description", "when", "mode", "target", "targets",
            "strategy", "failover-on", "provisional-timeout", "record-route", "status", "reason", "strip", "prepend", "translate",
            "unavailable");
    private static final List<String> TARGET_KEYS = List.of("to", "weight", "q", "expires");
    private static final List<String> WHEN_KEYS = List.of("caller", "caller-regex", "source", "time");
    private static final List<String> TIME_KEYS = List.of("days", "hours", "dates", "zone");
    private static final List<String> TRANSLATE_KEYS = List.of("match", "replace");
    private static final Map<String, Set<String>> KEYS_BY_MODE = Map.of(
            "proxy", Set.of("target", "targets", "strategy", "failover-on", "provisional-timeout", "record-route", "strip", "prepend",
                    "translate", "unavailable"),
            "redirect", Set.of("target", "targets", "status", "strip", "prepend", "translate", "unavailable"),
            "reject", Set.of("status", "reason"));
    private static final Set<String> MODE_KEYS = Set.of("target", "targets", "strategy", "failover-on", "provisional-timeout",
            "record-route", "strip", "prepend", "translate", "status", "reason", "unavailable");
    private static final Set<Integer> REDIRECT_STATUSES = Set.of(300, 301, 302, 305, 380);
    private static final Pattern NAME = Pattern.compile("[A-Za-z][A-Za-z0-9_.-]*");
    private static final Pattern HOURS = Pattern.compile("(\\d{1,2}:\\d{2})-(\\d{1,2}:\\d{2})");
    private static final List<String> DAY_NAMES = List.of("mon", "tue", "wed", "thu", "fri", "sat", "sun");

    private final String source;
    private final Problems problems;
    private final Map<String, Endpoint> endpoints = new LinkedHashMap<>();
    /** Names declared with problems: already reported, so references to them add no second message. */
    private final Set<String> broken = new java.util.HashSet<>();
    /** The plan's probe settings ('probing:'), which a destination's own 'probe:' mapping may override. */
    private Probe probing = Probe.DEFAULT;

    PlanWalk(String source) {
        this.source = source;
        this.problems = new Problems(source);
    }

    List<DialPlanProblem> problems() {
        return problems.list();
    }

    DialPlan plan(Node root, String version) {
        if (root == null) {
            problems.whole("the plan is empty; expected a 'rules:' list");
            return null;
        }
        Fields top = Fields.of(problems, root, "the plan", TOP_KEYS);
        if (top == null) {
            return null;
        }
        if (top.has("probing")) {
            Probe settings = probe(top.value("probing"), Probe.DEFAULT, "'probing'");
            if (settings != null) {
                probing = settings;
            }
        }
        if (top.has("destinations")) {
            destinations(top.value("destinations"));
        }
        if (top.has("groups")) {
            groups(top.value("groups"));
        }
        if (!top.has("rules")) {
            if (problems.count() == 0) { // else a misspelt key already says it
                problems.at(root, "the plan has no 'rules:' list");
            }
            return null;
        }
        List<Rule> rules = rules(top.value("rules"));
        if (problems.count() > 0) {
            return null;
        }
        return DialPlan.of(source, version, rules, endpoints);
    }

    // ---- destinations and groups ----

    private void destinations(Node node) {
        Fields named = Fields.of(problems, node, "'destinations'", null);
        if (named == null) {
            return;
        }
        for (String name : named.names()) {
            if (!validName(named.keyNode(name), name, "destination")) {
                continue;
            }
            Node value = named.value(name);
            Destination destination;
            if (value instanceof ScalarNode scalar) {
                Target target = target(value, scalar.getValue());
                destination = target == null ? null : new Destination(name, target, NumberRewrite.NONE);
            } else {
                Fields fields = Fields.of(problems, value, "destination '" + name + "'", DESTINATION_KEYS);
                if (fields == null) {
                    continue;
                }
                String uri = fields.has("uri") ? fields.string("uri") : fields.<String>missing("uri", "a SIP URI such as sip:192.0.2.10:5060");
                Target target = uri == null ? null : target(fields.value("uri"), uri);
                NumberRewrite rewrite = rewrite(fields);
                int before = problems.count();
                Probe probe = fields.has("probe") ? destinationProbe(fields.value("probe"), name) : null;
                destination = target == null || rewrite == null || problems.count() > before ? null
                        : new Destination(name, target, rewrite, probe);
            }
            if (destination != null) {
                endpoints.put(name, destination);
            } else {
                broken.add(name);
            }
        }
    }

    private void groups(Node node) {
        Fields named = Fields.of(problems, node, "'groups'", null);
        if (named == null) {
            return;
        }
        for (String name : named.names()) {
            if (!validName(named.keyNode(name), name, "group")) {
                continue;
            }
            if (endpoints.containsKey(name)) {
                problems.at(named.keyNode(name), "group '" + name + "' has the name of a destination; names must be unique");
                continue;
            }
            broken.add(name); // until it proves sound below
            Fields fields = Fields.of(problems, named.value(name), "group '" + name + "'", GROUP_KEYS);
            if (fields == null) {
                continue;
            }
            int before = problems.count();
            Strategy strategy = fields.has("strategy") ? strategy(fields, EnumSet.of(Strategy.SEQUENTIAL, Strategy.WEIGHTED)) : Strategy.SEQUENTIAL;
            List<Node> memberNodes = fields.has("members") ? fields.list("members") : fields.<List<Node>>missing("members", "a list of destinations");
            if (memberNodes == null || strategy == null) {
                continue;
            }
            List<Weighted<Destination>> members = new ArrayList<>();
            for (Node member : memberNodes) {
                Weighted<Destination> m = member(member, name, strategy);
                if (m != null) {
                    members.add(m);
                }
            }
            if (problems.count() > before) {
                continue;
            }
            if (strategy == Strategy.WEIGHTED && members.stream().mapToInt(Weighted::weight).sum() == 0) {
                problems.at(fields.value("members"), "the weights of group '" + name + "' sum to zero; no member would get a call");
                continue;
            }
            endpoints.put(name, new DestinationGroup(name, strategy, members));
            broken.remove(name);
        }
    }

    private Weighted<Destination> member(Node node, String group, Strategy strategy) {
        Node ref = node;
        int weight = 1;
        if (!(node instanceof ScalarNode)) {
            Fields fields = Fields.of(problems, node, "a member of group '" + group + "'", MEMBER_KEYS);
            if (fields == null) {
                return null;
            }
            if (!fields.has("destination")) {
                return fields.missing("destination", "a destination name or SIP URI");
            }
            ref = fields.value("destination");
            if (fields.has("weight")) {
                Integer w = weight(fields, strategy);
                if (w == null) {
                    return null;
                }
                weight = w;
            }
        }
        Endpoint endpoint = reference(ref);
        if (endpoint == null) {
            return null;
        }
        if (endpoint instanceof DestinationGroup inner) {
            problems.at(ref, "group '" + group + "' cannot contain group '" + inner.name() + "'; list its destinations instead");
            return null;
        }
        return new Weighted<>((Destination) endpoint, weight);
    }

    /** 'probe: true' (the plan's settings), 'probe: false', or a mapping that overrides some of them. */
    private Probe destinationProbe(Node node, String name) {
        if (node instanceof ScalarNode scalar) {
            return switch (scalar.getValue().trim()) {
                case "true" -> probing;
                case "false" -> null;
                default -> {
                    problems.at(node, "probe of destination '" + name + "' must be true, false or a mapping of "
                            + String.join(", ", PROBE_KEYS));
                    yield null;
                }
            };
        }
        return probe(node, probing, "probe of destination '" + name + "'");
    }

    /** Probe settings from a mapping, each key overriding {@code base}; null after a problem. */
    private Probe probe(Node node, Probe base, String what) {
        Fields fields = Fields.of(problems, node, what, PROBE_KEYS);
        if (fields == null) {
            return null;
        }
        int before = problems.count();
        Duration interval = fields.has("interval") ? duration(fields, "interval", Duration.ofMillis(100), Duration.ofHours(1)) : base.interval();
        Duration timeout = fields.has("timeout") ? duration(fields, "timeout", Duration.ofMillis(50), Duration.ofSeconds(60)) : base.timeout();
        Integer downAfter = fields.has("down-after") ? count(fields, "down-after") : Integer.valueOf(base.downAfter());
        Integer upAfter = fields.has("up-after") ? count(fields, "up-after") : Integer.valueOf(base.upAfter());
        StatusCodes accepted = base.accepted();
        if (fields.has("accept")) {
            List<Node> codes = fields.list("accept");
            List<String> specs = new ArrayList<>();
            for (Node code : codes == null ? List.<Node>of() : codes) {
                String text = fields.scalar(code, "accept");
                if (text == null) {
                    continue;
                }
                String t = text.trim().toLowerCase(Locale.ROOT);
                if (!t.matches("[2-6]xx|[2-6]\\d\\d")) {
                    problems.at(code, "'" + text + "' in accept is not a final status code (e.g. 200) or class (e.g. 2xx)");
                    continue;
                }
                specs.add(t);
            }
            if (!specs.isEmpty()) {
                accepted = StatusCodes.of(specs.toArray(new String[0]));
            }
        }
        if (problems.count() > before || interval == null || timeout == null || downAfter == null || upAfter == null) {
            return null;
        }
        if (timeout.compareTo(interval) > 0) {
            problems.at(fields.has("timeout") ? fields.value("timeout") : node, what + ": timeout " + timeout.toMillis()
                    + " ms is longer than the interval " + interval.toMillis() + " ms; a probe must end before the next starts");
            return null;
        }
        return new Probe(interval, timeout, downAfter, upAfter, accepted);
    }

    /** A duration written as 500ms, 2s or 2 (seconds), within [min, max]; null after a problem. */
    private Duration duration(Fields fields, String key, Duration min, Duration max) {
        String text = fields.string(key);
        if (text == null) {
            return null;
        }
        java.util.regex.Matcher m = Pattern.compile("(\\d{1,7})\\s*(ms|s)?").matcher(text.trim());
        if (!m.matches()) {
            problems.at(fields.value(key), key + " '" + text + "' must be a duration such as 500ms or 10s");
            return null;
        }
        Duration value = "ms".equals(m.group(2)) ? Duration.ofMillis(Long.parseLong(m.group(1))) : Duration.ofSeconds(Long.parseLong(m.group(1)));
        if (value.compareTo(min) < 0 || value.compareTo(max) > 0) {
            problems.at(fields.value(key), key + " " + text.trim() + " is outside " + min.toMillis() + "ms.." + max.toSeconds() + "s");
            return null;
        }
        return value;
    }

    /** A probe count (down-after, up-after): 1 to 100. */
    private Integer count(Fields fields, String key) {
        Integer value = fields.integer(key);
        if (value != null && (value < 1 || value > 100)) {
            problems.at(fields.value(key), key + " must be 1 to 100, was " + value);
            return null;
        }
        return value;
    }

    private boolean validName(Node at, String name, String kind) {
        if (!NAME.matcher(name).matches()) {
            problems.at(at, kind + " name '" + name + "' must start with a letter and hold only letters, digits, '-', '_' and '.'");
            return false;
        }
        return true;
    }

    // ---- rules ----

    private List<Rule> rules(Node node) {
        List<Rule> rules = new ArrayList<>();
        if (!(node instanceof org.yaml.snakeyaml.nodes.SequenceNode list)) {
            problems.at(node, "'rules' must be a list of rules (each item starting with '- prefix:')");
            return rules;
        }
        List<Rule> accepted = new ArrayList<>();
        // By prefix, so that spotting duplicates stays linear in the size of the plan.
        Map<String, List<Rule>> byPrefix = new java.util.HashMap<>();
        for (Node item : list.getValue()) {
            Rule rule = rule(item);
            if (rule == null) {
                continue;
            }
            List<Rule> same = byPrefix.computeIfAbsent(rule.prefix(), p -> new ArrayList<>(1));
            Rule twin = same.stream().filter(r -> r.when().equals(rule.when())).findFirst().orElse(null);
            if (twin != null) {
                problems.at(item, "duplicate prefix '" + rule.prefix() + "'"
                        + (rule.when().isAlways() ? "" : " with the same conditions") + ": already used by the rule at line " + twin.line());
                continue;
            }
            same.add(rule);
            accepted.add(rule);
        }
        return accepted;
    }

    private Rule rule(Node node) {
        Fields fields = Fields.of(problems, node, "a rule", RULE_KEYS);
        if (fields == null) {
            return null;
        }
        int before = problems.count();
        String prefix = fields.has("prefix") ? fields.string("prefix")
                : fields.<String>missing("prefix", "use \"\" for a rule that matches every number");
        if (prefix != null && !DialString.isDialString(prefix)) {
            problems.at(fields.value("prefix"), "prefix '" + prefix + "' holds characters other than 0-9 * # +");
        }
        String mode = fields.has("mode") ? fields.string("mode") : fields.<String>missing("mode", "proxy, redirect or reject");
        if (mode != null && !KEYS_BY_MODE.containsKey(mode)) {
            problems.at(fields.value("mode"), "unknown mode '" + mode + "'; use proxy, redirect or reject");
            mode = null;
        }
        if (mode != null) {
            for (String key : fields.names()) {
                if (MODE_KEYS.contains(key) && !KEYS_BY_MODE.get(mode).contains(key)) {
                    problems.at(fields.keyNode(key), "'" + key + "' does not apply to mode " + mode);
                }
            }
        }
        Conditions when = fields.has("when") ? conditions(fields.value("when")) : Conditions.ALWAYS;
        NumberRewrite rewrite = rewrite(fields);
        Action action = null;
        if (mode != null && problems.count() == before) {
            action = switch (mode) {
                case "proxy" -> proxy(fields);
                case "redirect" -> redirect(fields);
                default -> reject(fields);
            };
        }
        if (problems.count() > before || action == null || when == null || rewrite == null) {
            return null;
        }
        String description = fields.has("description") ? fields.string("description") : null;
        Rule.WhenUnavailable unavailable = Rule.WhenUnavailable.REFUSE;
        if (fields.has("unavailable")) {
            String text = fields.string("unavailable");
            if (text == null) {
                return null;
            }
            switch (text.trim()) {
                case "503" -> unavailable = Rule.WhenUnavailable.REFUSE;
                case "next-rule" -> unavailable = Rule.WhenUnavailable.NEXT_RULE;
                default -> {
                    problems.at(fields.value("unavailable"), "unavailable '" + text
                            + "' must be 503 (answer 503 with Retry-After when every destination is down or disabled) or next-rule");
                    return null;
                }
            }
        }
        return new Rule(prefix, when, rewrite, action, node.getStartMark().getLine() + 1, description, unavailable);
    }

    private Action proxy(Fields rule) {
        Strategy strategy = rule.has("strategy") ? strategy(rule, EnumSet.allOf(Strategy.class)) : Strategy.SEQUENTIAL;
        if (strategy == null) {
            return null;
        }
        List<Weighted<Endpoint>> targets = new ArrayList<>();
        List<Node> nodes = targetNodes(rule, "proxy");
        if (nodes == null) {
            return null;
        }
        for (Node node : nodes) {
            Node ref = node;
            int weight = 1;
            if (!(node instanceof ScalarNode)) {
                Fields fields = Fields.of(problems, node, "a target", TARGET_KEYS);
                if (fields == null) {
                    continue;
                }
                for (String key : List.of("q", "expires")) {
                    if (fields.has(key)) {
                        problems.at(fields.keyNode(key), "'" + key + "' applies to redirect targets, not proxy targets");
                    }
                }
                if (!fields.has("to")) {
                    fields.missing("to", "a destination or group name, or a SIP URI");
                    continue;
                }
                ref = fields.value("to");
                if (fields.has("weight")) {
                    Integer w = weight(fields, strategy);
                    if (w == null) {
                        continue;
                    }
                    weight = w;
                }
            }
            Endpoint endpoint = reference(ref);
            if (endpoint != null) {
                targets.add(new Weighted<>(endpoint, weight));
            }
        }
        if (targets.size() != nodes.size()) {
            return null;
        }
        if (strategy == Strategy.WEIGHTED && targets.stream().mapToInt(Weighted::weight).sum() == 0) {
            problems.at(rule.value("targets"), "the weights of this rule's targets sum to zero; no target would get a call");
            return null;
        }
        Failover failover = failover(rule, strategy);
        Boolean recordRoute = rule.has("record-route") ? rule.bool("record-route") : Boolean.TRUE;
        if (failover == null || recordRoute == null) {
            return null;
        }
        return new Action.ProxyTo(targets, strategy, failover, recordRoute);
    }

    private Failover failover(Fields rule, Strategy strategy) {
        for (String key : List.of("failover-on", "provisional-timeout")) {
            if (strategy == Strategy.PARALLEL && rule.has(key)) {
                problems.at(rule.keyNode(key), "'" + key + "' does not apply with strategy parallel: every target is tried at once");
                return null;
            }
        }
        StatusCodes on = Failover.DEFAULT.on();
        if (rule.has("failover-on")) {
            List<Node> codes = rule.list("failover-on");
            if (codes == null) {
                return null;
            }
            List<String> specs = new ArrayList<>();
            for (Node code : codes) {
                String text = rule.scalar(code, "failover-on");
                if (text == null) {
                    return null;
                }
                String t = text.trim().toLowerCase(Locale.ROOT);
                if (!t.matches("[1-6]xx|[1-6]\\d\\d")) {
                    problems.at(code, "'" + text + "' in failover-on is not a status code (e.g. 408) or class (e.g. 5xx)");
                    return null;
                }
                if (t.charAt(0) == '1' || t.charAt(0) == '2') {
                    problems.at(code, "failover-on " + text + ": only a final failure (3xx-5xx) can move a call to the next target");
                    return null;
                }
                if (t.charAt(0) == '6') {
                    problems.at(code, "failover-on " + text + ": a 6xx means the call fails everywhere (RFC 3261 section 21.6); never fail over on it");
                    return null;
                }
                specs.add(text.trim());
            }
            on = StatusCodes.of(specs.toArray(new String[0]));
        }
        Duration timeout = Failover.DEFAULT.provisionalTimeout();
        if (rule.has("provisional-timeout")) {
            timeout = seconds(rule, "provisional-timeout", 1, 60);
            if (timeout == null) {
                return null;
            }
        }
        return new Failover(on, timeout);
    }

    private Action redirect(Fields rule) {
        int status = 302;
        if (rule.has("status")) {
            Integer s = rule.integer("status");
            if (s == null) {
                return null;
            }
            if (!REDIRECT_STATUSES.contains(s)) {
                problems.at(rule.value("status"), "redirect status " + s + " is not one of 300, 301, 302, 305, 380");
                return null;
            }
            status = s;
        }
        List<Node> nodes = targetNodes(rule, "redirect");
        if (nodes == null) {
            return null;
        }
        List<Action.ContactSpec> contacts = new ArrayList<>();
        for (Node node : nodes) {
            Node ref = node;
            Double q = null;
            Integer expires = null;
            if (!(node instanceof ScalarNode)) {
                Fields fields = Fields.of(problems, node, "a target", TARGET_KEYS);
                if (fields == null) {
                    continue;
                }
                if (fields.has("weight")) {
                    problems.at(fields.keyNode("weight"), "'weight' applies to proxy targets; a redirect ranks Contacts by q");
                    continue;
                }
                if (!fields.has("to")) {
                    fields.missing("to", "a destination or group name, or a SIP URI");
                    continue;
                }
                ref = fields.value("to");
                if (fields.has("q")) {
                    String text = fields.string("q");
                    if (text == null) {
                        continue;
                    }
                    if (!text.trim().matches("0(\\.\\d{1,3})?|1(\\.0{1,3})?")) {
                        problems.at(fields.value("q"), "q " + text + " must be between 0 and 1 with at most 3 decimals (RFC 3261 section 20.10)");
                        continue;
                    }
                    q = Double.valueOf(text.trim());
                }
                if (fields.has("expires")) {
                    expires = fields.integer("expires");
                    if (expires == null) {
                        continue;
                    }
                    if (expires < 0) {
                        problems.at(fields.value("expires"), "expires must be 0 or more seconds, was " + expires);
                        continue;
                    }
                }
            }
            Endpoint endpoint = reference(ref);
            if (endpoint != null) {
                contacts.add(new Action.ContactSpec(endpoint, q, expires));
            }
        }
        if (contacts.size() != nodes.size()) {
            return null;
        }
        return new Action.RedirectTo(status, contacts);
    }

    private Action reject(Fields rule) {
        if (!rule.has("status")) {
            problems.at(rule.node(), "reject rule has no 'status' (a 4xx, 5xx or 6xx code such as 403)");
            return null;
        }
        Integer status = rule.integer("status");
        if (status == null) {
            return null;
        }
        if (status < 400 || status > 699) {
            problems.at(rule.value("status"), "status " + status + " is not a 4xx, 5xx or 6xx rejection");
            return null;
        }
        String reason = rule.has("reason") ? rule.string("reason") : null;
        if (rule.has("reason") && (reason == null || reason.isBlank() || reason.chars().anyMatch(c -> c < 0x20))) {
            if (reason != null) {
                problems.at(rule.value("reason"), "reason must be one line of text");
            }
            return null;
        }
        return new Action.Reject(status, reason);
    }

    /** The nodes of 'target' (one) or 'targets' (a list); null after reporting a problem. */
    private List<Node> targetNodes(Fields rule, String mode) {
        if (rule.has("target") && rule.has("targets")) {
            problems.at(rule.keyNode("targets"), "give either 'target' or 'targets', not both");
            return null;
        }
        if (rule.has("target")) {
            return List.of(rule.value("target"));
        }
        if (rule.has("targets")) {
            return rule.list("targets");
        }
        problems.at(rule.node(), mode + " rule has no 'target' (a SIP URI such as sip:192.0.2.10:5060, or a destination name)");
        return null;
    }

    /** A destination or group by name, or an inline SIP URI; null after reporting a problem. */
    private Endpoint reference(Node node) {
        if (!(node instanceof ScalarNode scalar)) {
            problems.at(node, "a target must be a name or a SIP URI");
            return null;
        }
        String text = scalar.getValue().trim();
        if (text.contains(":")) {
            Target target = target(node, text);
            return target == null ? null : Destination.inline(target);
        }
        Endpoint endpoint = endpoints.get(text);
        if (endpoint == null && broken.contains(text)) {
            return null;
        }
        if (endpoint == null) {
            List<String> known = new ArrayList<>(endpoints.keySet());
            problems.at(node, "unknown destination '" + text + "'"
                    + (known.isEmpty() ? "; no destinations or groups are declared" : "; declared are " + String.join(", ", known)));
        }
        return endpoint;
    }

    private Target target(Node at, String text) {
        try {
            return Target.parse(text);
        } catch (IllegalArgumentException e) {
            problems.at(at, e.getMessage());
            return null;
        }
    }

    private Strategy strategy(Fields fields, Set<Strategy> allowed) {
        String text = fields.string("strategy");
        if (text == null) {
            return null;
        }
        for (Strategy s : allowed) {
            if (s.name().equalsIgnoreCase(text.trim())) {
                return s;
            }
        }
        problems.at(fields.value("strategy"), "unknown strategy '" + text + "'; use "
                + String.join(" or ", allowed.stream().map(s -> s.name().toLowerCase(Locale.ROOT)).toList()));
        return null;
    }

    /**
     * Whole seconds written as 2s or 2, within [min, max]; null after a problem. The container
     * times branches in whole seconds, so a finer value would be a promise it cannot keep.
     */
    private Duration seconds(Fields fields, String key, int min, int max) {
        String text = fields.string(key);
        if (text == null) {
            return null;
        }
        java.util.regex.Matcher m = Pattern.compile("(\\d+)\\s*s?").matcher(text.trim());
        if (!m.matches()) {
            problems.at(fields.value(key), key + " '" + text + "' must be whole seconds such as 2s");
            return null;
        }
        int value = Integer.parseInt(m.group(1));
        if (value < min || value > max) {
            problems.at(fields.value(key), key + " " + text + " is outside " + min + "s.." + max + "s");
            return null;
        }
        return Duration.ofSeconds(value);
    }

    private Integer weight(Fields fields, Strategy strategy) {
        Integer weight = fields.integer("weight");
        if (weight == null) {
            return null;
        }
        if (strategy != Strategy.WEIGHTED) {
            problems.at(fields.keyNode("weight"), "'weight' applies only with strategy weighted");
            return null;
        }
        if (weight < 0) {
            problems.at(fields.value("weight"), "weight must be 0 or more, was " + weight);
            return null;
        }
        return weight;
    }

    // ---- number rewriting ----

    private NumberRewrite rewrite(Fields fields) {
        int before = problems.count();
        int strip = 0;
        String prepend = "";
        NumberRewrite.Translation translate = null;
        if (fields.has("strip")) {
            Integer value = fields.integer("strip");
            if (value != null && value < 0) {
                problems.at(fields.value("strip"), "strip must be 0 or more, was " + value);
            } else if (value != null) {
                strip = value;
            }
        }
        if (fields.has("prepend")) {
            String value = fields.string("prepend");
            if (value != null && !DialString.isDialString(value)) {
                problems.at(fields.value("prepend"), "prepend '" + value + "' holds characters other than 0-9 * # +");
            } else if (value != null) {
                prepend = value;
            }
        }
        if (fields.has("translate")) {
            Fields t = Fields.of(problems, fields.value("translate"), "'translate'", TRANSLATE_KEYS);
            if (t != null) {
                String match = t.has("match") ? t.string("match") : t.<String>missing("match", "a regex the whole number must match");
                String replace = t.has("replace") ? t.string("replace") : t.<String>missing("replace", "the new number, with $1..$9 for groups");
                if (match != null && replace != null) {
                    try {
                        translate = NumberRewrite.Translation.of(match, replace);
                    } catch (IllegalArgumentException e) {
                        problems.at(t.value(e.getMessage().startsWith("regex") ? "match" : "replace"), e.getMessage());
                    }
                }
            }
        }
        return problems.count() > before ? null : new NumberRewrite(strip, prepend, translate);
    }

    // ---- conditions ----

    private Conditions conditions(Node node) {
        Fields when = Fields.of(problems, node, "'when'", WHEN_KEYS);
        if (when == null) {
            return null;
        }
        int before = problems.count();
        List<Conditions.Condition> all = new ArrayList<>();
        if (when.has("caller")) {
            List<Node> prefixes = when.list("caller");
            if (prefixes != null) {
                List<String> texts = new ArrayList<>();
                for (Node p : prefixes) {
                    String text = when.scalar(p, "caller");
                    if (text != null) {
                        texts.add(text);
                    }
                }
                all.add(new Conditions.CallerPrefix(texts));
            }
        }
        if (when.has("caller-regex")) {
            String regex = when.string("caller-regex");
            if (regex != null) {
                try {
                    all.add(new Conditions.CallerRegex(Pattern.compile(regex)));
                } catch (PatternSyntaxException e) {
                    problems.at(when.value("caller-regex"), "caller-regex '" + regex + "' does not compile: " + e.getDescription());
                }
            }
        }
        if (when.has("source")) {
            List<Node> networks = when.list("source");
            if (networks != null) {
                List<Conditions.Cidr> cidrs = new ArrayList<>();
                for (Node n : networks) {
                    String text = when.scalar(n, "source");
                    if (text == null) {
                        continue;
                    }
                    try {
                        cidrs.add(Conditions.Cidr.parse(text));
                    } catch (IllegalArgumentException e) {
                        problems.at(n, e.getMessage());
                    }
                }
                all.add(new Conditions.SourceNetworks(cidrs));
            }
        }
        if (when.has("time")) {
            Conditions.TimeWindow window = timeWindow(when.value("time"));
            if (window != null) {
                all.add(window);
            }
        }
        if (problems.count() > before) {
            return null;
        }
        if (all.isEmpty()) {
            problems.at(node, "'when' is empty; leave it out for a rule that always applies");
            return null;
        }
        return new Conditions(all);
    }

    private Conditions.TimeWindow timeWindow(Node node) {
        Fields time = Fields.of(problems, node, "'time'", TIME_KEYS);
        if (time == null) {
            return null;
        }
        int before = problems.count();
        Set<DayOfWeek> days = EnumSet.allOf(DayOfWeek.class);
        if (time.has("days")) {
            days = days(time);
        }
        LocalTime from = LocalTime.MIDNIGHT;
        LocalTime until = LocalTime.MIDNIGHT;
        if (time.has("hours")) {
            String text = time.string("hours");
            java.util.regex.Matcher m = text == null ? null : HOURS.matcher(text.trim());
            if (m == null || !m.matches()) {
                if (text != null) {
                    problems.at(time.value("hours"), "hours '" + text + "' must look like 08:00-18:00");
                }
            } else {
                try {
                    from = LocalTime.parse(pad(m.group(1)));
                    until = m.group(2).equals("24:00") ? LocalTime.MIDNIGHT : LocalTime.parse(pad(m.group(2)));
                    if (from.equals(until)) {
                        problems.at(time.value("hours"), "hours '" + text + "' is empty and can never match; leave 'hours' out for all day");
                    }
                } catch (DateTimeException e) {
                    problems.at(time.value("hours"), "hours '" + text + "' holds a time that does not exist");
                }
            }
        }
        LocalDate first = null;
        LocalDate last = null;
        if (time.has("dates")) {
            String text = time.string("dates");
            if (text != null) {
                String[] range = text.trim().split("\\.\\.", -1);
                try {
                    first = range[0].isEmpty() ? null : LocalDate.parse(range[0].trim());
                    last = range.length == 1 ? first : range[1].isEmpty() ? null : LocalDate.parse(range[1].trim());
                    if (range.length > 2) {
                        throw new DateTimeException("too many '..'");
                    }
                    if (first != null && last != null && last.isBefore(first)) {
                        problems.at(time.value("dates"), "dates '" + text + "' end before they start; the window can never match");
                    }
                } catch (DateTimeException e) {
                    problems.at(time.value("dates"), "dates '" + text + "' must be YYYY-MM-DD or YYYY-MM-DD..YYYY-MM-DD");
                }
            }
        }
        ZoneId zone = null;
        if (!time.has("zone")) {
            time.missing("zone", "an IANA time zone such as Europe/Berlin; a window without one would follow the server's clock");
        } else {
            String text = time.string("zone");
            if (text != null) {
                try {
                    zone = ZoneId.of(text.trim());
                } catch (DateTimeException e) {
                    problems.at(time.value("zone"), "unknown time zone '" + text + "'; use an IANA name such as Europe/Berlin");
                }
            }
        }
        if (problems.count() > before || days == null || zone == null) {
            return null;
        }
        if (first != null && last != null && !last.isAfter(first.plusDays(6))) {
            Set<DayOfWeek> allowed = days;
            boolean anyDay = first.datesUntil(last.plusDays(1)).anyMatch(d -> allowed.contains(d.getDayOfWeek()));
            if (!anyDay) {
                problems.at(node, "the time window can never match: the dates " + first + ".." + last + " fall on none of its days");
                return null;
            }
        }
        return new Conditions.TimeWindow(days, from, until, first, last, zone);
    }

    private Set<DayOfWeek> days(Fields time) {
        List<Node> items = time.list("days");
        if (items == null) {
            return null;
        }
        Set<DayOfWeek> days = EnumSet.noneOf(DayOfWeek.class);
        for (Node item : items) {
            String text = time.scalar(item, "days");
            if (text == null) {
                return null;
            }
            for (String part : text.split(",")) {
                String p = part.trim().toLowerCase(Locale.ROOT);
                String[] range = p.split("-", -1);
                int a = DAY_NAMES.indexOf(range[0]);
                int b = range.length == 2 ? DAY_NAMES.indexOf(range[1]) : a;
                if (range.length > 2 || a < 0 || b < 0) {
                    problems.at(item, "days '" + text + "': '" + part.trim() + "' is not a day (mon..sun) or range (mon-fri)");
                    return null;
                }
                for (int i = a; ; i = (i + 1) % 7) {
                    days.add(DayOfWeek.of(i + 1));
                    if (i == b) {
                        break;
                    }
                }
            }
        }
        return days;
    }

    private static String pad(String time) {
        return time.length() == 4 ? "0" + time : time;
    }
}
