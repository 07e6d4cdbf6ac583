package dialroute.dialplan.yaml;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;

/**
 * The keys of one YAML mapping, read with their positions. Unknown and repeated keys are problems,
 * because a misspelt key silently ignored is a routing mistake waiting to happen. Typed getters
 * report a problem and return null when a value has the wrong shape.
 */
final class Fields {
    private final Problems problems;
    private final Node node;
    private final String what;
    private final Map<String, NodeTuple> keys = new LinkedHashMap<>();

    private Fields(Problems problems, Node node, String what) {
        this.problems = problems;
        this.node = node;
        this.what = what;
    }

    /** The fields of {@code node}, or null after reporting that it is no mapping. */
    static Fields of(Problems problems, Node node, String what, List<String> allowed) {
        if (!(node instanceof MappingNode mapping)) {
            problems.at(node, what + " must be a mapping of 'key: value' lines");
            return null;
        }
        Fields fields = new Fields(problems, node, what);
        for (NodeTuple tuple : mapping.getValue()) {
            if (!(tuple.getKeyNode() instanceof ScalarNode key)) {
                problems.at(tuple.getKeyNode(), what + " has a key that is not a plain name");
                continue;
            }
            String name = key.getValue();
            if (allowed != null && !allowed.contains(name)) {
                problems.at(key, "unknown key '" + name + "' in " + what + "; expected one of " + String.join(", ", allowed));
            } else if (fields.keys.putIfAbsent(name, tuple) != null) {
                problems.at(key, "'" + name + "' is given twice in " + what);
            }
        }
        return fields;
    }

    Node node() {
        return node;
    }

    String what() {
        return what;
    }

    boolean has(String key) {
        return keys.containsKey(key);
    }

    /** The names in file order. */
    List<String> names() {
        return new ArrayList<>(keys.keySet());
    }

    Node keyNode(String key) {
        return keys.get(key).getKeyNode();
    }

    Node value(String key) {
        NodeTuple tuple = keys.get(key);
        return tuple == null ? null : tuple.getValueNode();
    }

    /** Reports that {@code key} is missing (with a hint) and returns null. */
    <T> T missing(String key, String hint) {
        problems.at(node, what + " has no '" + key + "'" + (hint.isEmpty() ? "" : " (" + hint + ")"));
        return null;
    }

    String string(String key) {
        Node value = value(key);
        if (value == null) {
            return null;
        }
        return scalar(value, key);
    }

    String scalar(Node value, String key) {
        if (!(value instanceof ScalarNode scalar)) {
            problems.at(value, "'" + key + "' must be a single value, not a list or mapping");
            return null;
        }
        return scalar.getValue();
    }

    Integer integer(String key) {
        String text = string(key);
        if (text == null) {
            return null;
        }
        try {
            return Integer.valueOf(text.trim());
        } catch (NumberFormatException e) {
            problems.at(value(key), "'" + key + "' must be a whole number, was '" + text + "'");
            return null;
        }
    }

    Boolean bool(String key) {
        String text = string(key);
        if (text == null) {
            return null;
        }
        if (!text.equals("true") && !text.equals("false")) {
            problems.at(value(key), key + " must be true or false, was '" + text + "'");
            return null;
        }
        return Boolean.valueOf(text);
    }

    /** A list value; a single scalar counts as a list of one. Null if absent or malformed. */
    List<Node> list(String key) {
        Node value = value(key);
        if (value == null) {
            return null;
        }
        if (value instanceof SequenceNode sequence) {
            if (sequence.getValue().isEmpty()) {
                problems.at(value, "'" + key + "' is an empty list");
                return null;
            }
            return sequence.getValue();
        }
        if (value instanceof ScalarNode) {
            return List.of(value);
        }
        problems.at(value, "'" + key + "' must be a value or a list of values");
        return null;
    }
}
