package dialroute.dialplan.yaml;

import dialroute.dialplan.Action;
import dialroute.dialplan.DialPlan;
import dialroute.dialplan.DialPlanProblem;
import dialroute.dialplan.DialString;
import dialroute.dialplan.InvalidDialPlanException;
import dialroute.dialplan.NumberRewrite;
import dialroute.dialplan.Rule;
import dialroute.dialplan.Target;
import java.io.IOException;
import java.io.ByteArrayInputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;

/**
 * Reads a dial plan from YAML. The only class that knows the file format. It walks the YAML node
 * tree (not Java objects) so that every problem can name its line and column, and it keeps going
 * after a problem so that an admin sees all of them at once:
 *
 * <pre>
 * rules:
 *   - prefix: "9"
 *     mode: proxy            # proxy | redirect | reject
 *     target: sip:127.0.0.1:5090
 *     strip: 1               # optional: leading digits to remove
 *     prepend: ""            # optional: digits to put in front
 *     record-route: true     # optional, proxy only; default true
 *   - prefix: "00"
 *     mode: reject
 *     status: 403            # 4xx-6xx
 *     reason: International calls barred   # optional reason phrase
 * </pre>
 */
public final class YamlDialPlanReader {

    private static final Set<String> TOP_LEVEL_KEYS = Set.of("rules");
    private static final List<String> RULE_KEYS =
            List.of("prefix", "mode", "target", "strip", "prepend", "record-route", "status", "reason", "description");
    private static final Map<String, Set<String>> KEYS_BY_MODE = Map.of(
            "proxy", Set.of("target", "strip", "prepend", "record-route"),
            "redirect", Set.of("target", "strip", "prepend"),
            "reject", Set.of("status", "reason"));

    /** Reads and validates the plan in {@code file}. */
    public DialPlan read(Path file) throws InvalidDialPlanException {
        byte[] content;
        try {
            content = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw single(file.toString(), "no such file");
        } catch (IOException e) {
            throw single(file.toString(), "cannot read: " + e.getMessage());
        }
        return read(file.toString(), content);
    }

    /**
     * Reads and validates a plan.
     *
     * @param source names the plan in messages, usually its path
     * @throws InvalidDialPlanException listing every problem, each with line and column
     */
    public DialPlan read(String source, byte[] content) throws InvalidDialPlanException {
        Node root;
        try {
            root = new Yaml(new LoaderOptions()).compose(
                    new InputStreamReader(new ByteArrayInputStream(content), StandardCharsets.UTF_8));
        } catch (MarkedYAMLException e) {
            Mark mark = e.getProblemMark() != null ? e.getProblemMark() : e.getContextMark();
            String problem = e.getProblem() != null ? e.getProblem() : e.getMessage();
            throw new InvalidDialPlanException(List.of(
                    new DialPlanProblem(source, mark.getLine() + 1, mark.getColumn() + 1, "YAML syntax error: " + problem)));
        } catch (YAMLException e) {
            throw single(source, "YAML syntax error: " + e.getMessage());
        }
        Walk walk = new Walk(source);
        List<Rule> rules = walk.plan(root);
        if (!walk.problems.isEmpty()) {
            throw new InvalidDialPlanException(walk.problems);
        }
        return DialPlan.of(source, version(content), rules);
    }

    /** Reads a plan given as text; for tests and tools. */
    public DialPlan read(String source, String yaml) throws InvalidDialPlanException {
        return read(source, yaml.getBytes(StandardCharsets.UTF_8));
    }

    private static InvalidDialPlanException single(String source, String message) {
        return new InvalidDialPlanException(List.of(new DialPlanProblem(source, 0, 0, message)));
    }

    /** The first 12 hex digits of the content's SHA-256: enough to tell two plan versions apart in a log. */
    static String version(byte[] content) {
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256").digest(content);
            return HexFormat.of().formatHex(hash, 0, 6);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }

    /** One pass over the node tree, collecting rules and problems. */
    private static final class Walk {
        final String source;
        final List<DialPlanProblem> problems = new ArrayList<>();

        Walk(String source) {
            this.source = source;
        }

        void problem(Node at, String message) {
            Mark mark = at.getStartMark();
            problems.add(new DialPlanProblem(source, mark.getLine() + 1, mark.getColumn() + 1, message));
        }

        List<Rule> plan(Node root) {
            List<Rule> rules = new ArrayList<>();
            if (root == null) {
                problems.add(new DialPlanProblem(source, 0, 0, "the plan is empty; expected a 'rules:' list"));
                return rules;
            }
            Map<String, NodeTuple> top = keys(root, "the plan", TOP_LEVEL_KEYS);
            if (top == null) {
                return rules;
            }
            NodeTuple rulesEntry = top.get("rules");
            if (rulesEntry == null) {
                if (problems.isEmpty()) { // else a misspelt key already says it
                    problem(root, "the plan has no 'rules:' list");
                }
                return rules;
            }
            if (!(rulesEntry.getValueNode() instanceof SequenceNode list)) {
                problem(rulesEntry.getValueNode(), "'rules' must be a list of rules (each item starting with '- prefix:')");
                return rules;
            }
            Map<String, Node> firstByPrefix = new LinkedHashMap<>();
            for (Node item : list.getValue()) {
                Rule rule = rule(item);
                if (rule == null) {
                    continue;
                }
                Node earlier = firstByPrefix.putIfAbsent(rule.prefix(), item);
                if (earlier != null) {
                    problem(item, "duplicate prefix '" + rule.prefix() + "': already used by the rule at line "
                            + (earlier.getStartMark().getLine() + 1));
                    continue;
                }
                rules.add(rule);
            }
            return rules;
        }

        /** The rule in {@code node}, or null after recording why it is not one. */
        Rule rule(Node node) {
            Map<String, NodeTuple> keys = keys(node, "a rule", Set.copyOf(RULE_KEYS));
            if (keys == null) {
                return null;
            }
            int before = problems.size();
            String prefix = prefix(node, keys.get("prefix"));
            String mode = mode(node, keys.get("mode"));
            if (mode != null) {
                for (Map.Entry<String, NodeTuple> key : keys.entrySet()) {
                    String name = key.getKey();
                    if (KEYS_BY_MODE.values().stream().anyMatch(s -> s.contains(name)) && !KEYS_BY_MODE.get(mode).contains(name)) {
                        problem(key.getValue().getKeyNode(), "'" + name + "' does not apply to mode " + mode);
                    }
                }
            }
            NumberRewrite rewrite = rewrite(keys);
            Action action = mode == null ? null : action(node, mode, keys);
            if (problems.size() > before || prefix == null || action == null) {
                return null;
            }
            return new Rule(prefix, rewrite, action, node.getStartMark().getLine() + 1);
        }

        String prefix(Node rule, NodeTuple entry) {
            if (entry == null) {
                problem(rule, "rule has no 'prefix' (use \"\" for a rule that matches every number)");
                return null;
            }
            String prefix = scalar(entry, "prefix");
            if (prefix != null && !DialString.isDialString(prefix)) {
                problem(entry.getValueNode(), "prefix '" + prefix + "' holds characters other than 0-9 * # +");
                return null;
            }
            return prefix;
        }

        String mode(Node rule, NodeTuple entry) {
            if (entry == null) {
                problem(rule, "rule has no 'mode' (proxy, redirect or reject)");
                return null;
            }
            String mode = scalar(entry, "mode");
            if (mode != null && !KEYS_BY_MODE.containsKey(mode)) {
                problem(entry.getValueNode(), "unknown mode '" + mode + "'; use proxy, redirect or reject");
                return null;
            }
            return mode;
        }

        NumberRewrite rewrite(Map<String, NodeTuple> keys) {
            int strip = 0;
            String prepend = "";
            NodeTuple stripEntry = keys.get("strip");
            if (stripEntry != null) {
                Integer value = integer(stripEntry, "strip");
                if (value != null && value < 0) {
                    problem(stripEntry.getValueNode(), "strip must be 0 or more, was " + value);
                } else if (value != null) {
                    strip = value;
                }
            }
            NodeTuple prependEntry = keys.get("prepend");
            if (prependEntry != null) {
                String value = scalar(prependEntry, "prepend");
                if (value != null && !DialString.isDialString(value)) {
                    problem(prependEntry.getValueNode(), "prepend '" + value + "' holds characters other than 0-9 * # +");
                } else if (value != null) {
                    prepend = value;
                }
            }
            return new NumberRewrite(strip, prepend);
        }

        Action action(Node rule, String mode, Map<String, NodeTuple> keys) {
            switch (mode) {
                case "proxy": {
                    Target target = target(rule, keys.get("target"), mode);
                    boolean recordRoute = true;
                    NodeTuple rr = keys.get("record-route");
                    if (rr != null) {
                        String value = scalar(rr, "record-route");
                        if (value != null && !value.equals("true") && !value.equals("false")) {
                            problem(rr.getValueNode(), "record-route must be true or false, was '" + value + "'");
                        }
                        recordRoute = !"false".equals(value);
                    }
                    return target == null ? null : new Action.ProxyTo(target, recordRoute);
                }
                case "redirect": {
                    Target target = target(rule, keys.get("target"), mode);
                    return target == null ? null : new Action.RedirectTo(target);
                }
                default: {
                    NodeTuple statusEntry = keys.get("status");
                    if (statusEntry == null) {
                        problem(rule, "reject rule has no 'status' (a 4xx, 5xx or 6xx code such as 403)");
                        return null;
                    }
                    Integer status = integer(statusEntry, "status");
                    if (status == null) {
                        return null;
                    }
                    if (status < 400 || status > 699) {
                        problem(statusEntry.getValueNode(), "status " + status + " is not a 4xx, 5xx or 6xx rejection");
                        return null;
                    }
                    NodeTuple reasonEntry = keys.get("reason");
                    String reason = reasonEntry == null ? null : scalar(reasonEntry, "reason");
                    if (reason != null && (reason.isBlank() || reason.chars().anyMatch(c -> c < 0x20))) {
                        problem(reasonEntry.getValueNode(), "reason must be one line of text");
                        return null;
                    }
                    return new Action.Reject(status, reason);
                }
            }
        }

        Target target(Node rule, NodeTuple entry, String mode) {
            if (entry == null) {
                problem(rule, mode + " rule has no 'target' (a SIP URI such as sip:192.0.2.10:5060)");
                return null;
            }
            String text = scalar(entry, "target");
            if (text == null) {
                return null;
            }
            try {
                return Target.parse(text);
            } catch (IllegalArgumentException e) {
                problem(entry.getValueNode(), e.getMessage());
                return null;
            }
        }

        /** The keys of a mapping node, reporting duplicates and unknown keys; null if it is no mapping. */
        Map<String, NodeTuple> keys(Node node, String what, Set<String> allowed) {
            if (!(node instanceof MappingNode mapping)) {
                problem(node, what + " must be a mapping of 'key: value' lines");
                return null;
            }
            Map<String, NodeTuple> keys = new LinkedHashMap<>();
            for (NodeTuple tuple : mapping.getValue()) {
                if (!(tuple.getKeyNode() instanceof ScalarNode key)) {
                    problem(tuple.getKeyNode(), what + " has a key that is not a plain name");
                    continue;
                }
                String name = key.getValue();
                if (!allowed.contains(name)) {
                    problem(key, "unknown key '" + name + "' in " + what + "; expected one of "
                            + String.join(", ", allowed.stream().sorted(this::keyOrder).toList()));
                } else if (keys.putIfAbsent(name, tuple) != null) {
                    problem(key, "'" + name + "' is given twice in " + what);
                }
            }
            return keys;
        }

        private int keyOrder(String a, String b) {
            int ia = RULE_KEYS.indexOf(a);
            int ib = RULE_KEYS.indexOf(b);
            return ia != ib ? Integer.compare(ia, ib) : a.compareTo(b);
        }

        String scalar(NodeTuple entry, String name) {
            if (!(entry.getValueNode() instanceof ScalarNode value)) {
                problem(entry.getValueNode(), "'" + name + "' must be a single value, not a list or mapping");
                return null;
            }
            return value.getValue();
        }

        Integer integer(NodeTuple entry, String name) {
            String text = scalar(entry, name);
            if (text == null) {
                return null;
            }
            try {
                return Integer.valueOf(text.trim());
            } catch (NumberFormatException e) {
                problem(entry.getValueNode(), "'" + name + "' must be a whole number, was '" + text + "'");
                return null;
            }
        }
    }
}
