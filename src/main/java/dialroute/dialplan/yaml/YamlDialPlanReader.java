package dialroute.dialplan.yaml;

import dialroute.dialplan.DialPlan;
import dialroute.dialplan.DialPlanProblem;
import dialroute.dialplan.InvalidDialPlanException;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.Node;

/**
 * Reads a dial plan from YAML; the only place that knows the file format (see the README for the
 * format). It walks the YAML node tree, not Java objects, so that every problem names its line and
 * column, and it keeps going after a problem so that an admin sees all of them at once.
 */
public final class YamlDialPlanReader {

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
            LoaderOptions options = new LoaderOptions();
            // A plan is a few thousand lines at most; refuse YAML bombs before they cost memory.
            options.setMaxAliasesForCollections(50);
            options.setCodePointLimit(64 * 1024 * 1024);
            root = new Yaml(options).compose(new InputStreamReader(new ByteArrayInputStream(content), StandardCharsets.UTF_8));
        } catch (MarkedYAMLException e) {
            Mark mark = e.getProblemMark() != null ? e.getProblemMark() : e.getContextMark();
            String problem = e.getProblem() != null ? e.getProblem() : e.getMessage();
            throw new InvalidDialPlanException(List.of(
                    new DialPlanProblem(source, mark.getLine() + 1, mark.getColumn() + 1, "YAML syntax error: " + problem)));
        } catch (YAMLException e) {
            throw single(source, "YAML syntax error: " + e.getMessage());
        }
        PlanWalk walk = new PlanWalk(source);
        DialPlan plan = walk.plan(root, version(content));
        if (!walk.problems().isEmpty()) {
            throw new InvalidDialPlanException(walk.problems());
        }
        return plan;
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
}
