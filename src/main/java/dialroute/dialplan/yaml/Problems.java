package dialroute.dialplan.yaml;

import dialroute.dialplan.DialPlanProblem;
import java.util.ArrayList;
import java.util.List;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.nodes.Node;

/** The problems found in one plan file, each at the position of the node it is about. */
final class Problems {
    private final String source;
    private final List<DialPlanProblem> found = new ArrayList<>();

    Problems(String source) {
        this.source = source;
    }

    void at(Node node, String message) {
        Mark mark = node.getStartMark();
        found.add(new DialPlanProblem(source, mark.getLine() + 1, mark.getColumn() + 1, message));
    }

    void whole(String message) {
        found.add(new DialPlanProblem(source, 0, 0, message));
    }

    int count() {
        return found.size();
    }

    List<DialPlanProblem> list() {
        return found;
    }
}
