package dialroute.dialplan.yaml;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dialroute.dialplan.Action;
import dialroute.dialplan.DialPlan;
import dialroute.dialplan.DialPlanProblem;
import dialroute.dialplan.InvalidDialPlanException;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class YamlDialPlanReaderTest {
    private final YamlDialPlanReader reader = new YamlDialPlanReader();

    @Test
    void samplePlanRoutesAsTheReadmeSays() throws Exception {
        DialPlan plan = reader.read(Path.of("dialplans/sample.yaml"));
        assertEquals(3, plan.rules().size());

        Action.ProxyTo proxy = (Action.ProxyTo) plan.lookup("9123").action();
        assertEquals("sip:127.0.0.1:5090", proxy.target().uri());
        assertTrue(proxy.recordRoute());
        assertEquals("123", plan.lookup("9123").number());

        Action.RedirectTo redirect = (Action.RedirectTo) plan.lookup("8123").action();
        assertEquals("sip:127.0.0.1:5091", redirect.contact().uri());
        assertEquals("8123", plan.lookup("8123").number());

        assertEquals(new Action.Reject(403, "International Calls Barred"), plan.lookup("0044").action());
        assertEquals(404, ((Action.Reject) plan.lookup("7123").action()).status());
    }

    @Test
    void readsEveryKey() throws Exception {
        DialPlan plan = reader.read("p.yaml", """
                rules:
                  - prefix: 0049
                    description: Germany via the carrier, which wants national format
                    mode: proxy
                    target: sip:127.0.0.1:5092;transport=tcp
                    strip: 4
                    prepend: "0"
                    record-route: false
                  - prefix: ""
                    mode: reject
                    status: 480
                """);
        Action.ProxyTo proxy = (Action.ProxyTo) plan.lookup("004930123").action();
        assertEquals("030123", plan.lookup("004930123").number());
        assertEquals(false, proxy.recordRoute());
        assertEquals(new Action.Reject(480, null), plan.lookup("555").action());
        assertEquals(9, plan.lookup("555").rule().line());
    }

    @Test
    void versionChangesWithContentAndNamesTheSource() throws Exception {
        String a = "rules:\n  - {prefix: '1', mode: reject, status: 403}\n";
        String b = "rules:\n  - {prefix: '1', mode: reject, status: 404}\n";
        DialPlan first = reader.read("a.yaml", a);
        assertEquals(first.version(), reader.read("a.yaml", a).version());
        assertTrue(!first.version().equals(reader.read("a.yaml", b).version()));
        assertEquals("a.yaml (version " + first.version() + ", 1 rule)", first.toString());
    }

    static Stream<Arguments> brokenPlans() {
        return Stream.of(
                // an unclosed quote is not YAML
                Arguments.of("rules:\n  - prefix: \"9\n    mode: proxy\n", "b.yaml:4:1: YAML syntax error: found unexpected end of stream"),
                // an empty file routes nothing: surely a mistake
                Arguments.of("", "b.yaml: the plan is empty; expected a 'rules:' list"),
                // rules must be a list
                Arguments.of("rules: 9\n", "b.yaml:1:8: 'rules' must be a list of rules (each item starting with '- prefix:')"),
                // misspelt top-level key
                Arguments.of("rule:\n  - {prefix: '9', mode: reject, status: 403}\n",
                        "b.yaml:1:1: unknown key 'rule' in the plan; expected one of rules"),
                // modes are proxy, redirect, reject
                Arguments.of("rules:\n  - prefix: '9'\n    mode: forward\n    target: sip:127.0.0.1\n",
                        "b.yaml:3:11: unknown mode 'forward'; use proxy, redirect or reject"),
                // a letter can't be dialled
                Arguments.of("rules:\n  - prefix: 9a\n    mode: reject\n    status: 403\n",
                        "b.yaml:2:13: prefix '9a' holds characters other than 0-9 * # +"),
                // a tel: URI names no server
                Arguments.of("rules:\n  - prefix: '9'\n    mode: proxy\n    target: tel:+4930123\n",
                        "b.yaml:4:13: target 'tel:+4930123' is not a SIP URI (expected e.g. sip:192.0.2.10:5060)"),
                // proxy without target
                Arguments.of("rules:\n  - prefix: '9'\n    mode: proxy\n",
                        "b.yaml:2:5: proxy rule has no 'target' (a SIP URI such as sip:192.0.2.10:5060)"),
                // rule without mode
                Arguments.of("rules:\n  - prefix: '9'\n", "b.yaml:2:5: rule has no 'mode' (proxy, redirect or reject)"),
                // rule without prefix
                Arguments.of("rules:\n  - mode: reject\n    status: 403\n",
                        "b.yaml:2:5: rule has no 'prefix' (use \"\" for a rule that matches every number)"),
                // a typo must not silently drop the rewrite
                Arguments.of("rules:\n  - prefix: '9'\n    mode: proxy\n    target: sip:127.0.0.1\n    strp: 1\n",
                        "b.yaml:5:5: unknown key 'strp' in a rule; expected one of prefix, mode, target, strip, prepend, record-route, status, reason, description"),
                // a 2xx is no rejection
                Arguments.of("rules:\n  - prefix: '9'\n    mode: reject\n    status: 200\n",
                        "b.yaml:4:13: status 200 is not a 4xx, 5xx or 6xx rejection"),
                // reject needs its status
                Arguments.of("rules:\n  - prefix: '9'\n    mode: reject\n",
                        "b.yaml:2:5: reject rule has no 'status' (a 4xx, 5xx or 6xx code such as 403)"),
                // a status must be a number
                Arguments.of("rules:\n  - prefix: '9'\n    mode: reject\n    status: forbidden\n",
                        "b.yaml:4:13: 'status' must be a whole number, was 'forbidden'"),
                // a target on a reject rule means the admin meant something else
                Arguments.of("rules:\n  - prefix: '9'\n    mode: reject\n    status: 403\n    target: sip:127.0.0.1\n",
                        "b.yaml:5:5: 'target' does not apply to mode reject"),
                // record-route is a proxy setting
                Arguments.of("rules:\n  - prefix: '8'\n    mode: redirect\n    target: sip:127.0.0.1\n    record-route: true\n",
                        "b.yaml:5:5: 'record-route' does not apply to mode redirect"),
                Arguments.of("rules:\n  - prefix: '9'\n    mode: proxy\n    target: sip:127.0.0.1\n    record-route: yes please\n",
                        "b.yaml:5:19: record-route must be true or false, was 'yes please'"),
                Arguments.of("rules:\n  - prefix: '9'\n    mode: proxy\n    target: sip:127.0.0.1\n    strip: -2\n",
                        "b.yaml:5:12: strip must be 0 or more, was -2"),
                Arguments.of("rules:\n  - prefix: '9'\n    mode: proxy\n    target: sip:127.0.0.1\n    prepend: '+4 9'\n",
                        "b.yaml:5:14: prepend '+4 9' holds characters other than 0-9 * # +"),
                // the same key twice: which one did the admin mean?
                Arguments.of("rules:\n  - prefix: '9'\n    prefix: '8'\n    mode: reject\n    status: 403\n",
                        "b.yaml:3:5: 'prefix' is given twice in a rule"),
                // two rules for one prefix: the second could never match
                Arguments.of("rules:\n  - {prefix: '9', mode: reject, status: 403}\n  - {prefix: '9', mode: reject, status: 404}\n",
                        "b.yaml:3:5: duplicate prefix '9': already used by the rule at line 2"),
                // a rule must be a mapping
                Arguments.of("rules:\n  - 9\n", "b.yaml:2:5: a rule must be a mapping of 'key: value' lines"),
                Arguments.of("rules:\n  - prefix: [9, 8]\n    mode: reject\n    status: 403\n",
                        "b.yaml:2:13: 'prefix' must be a single value, not a list or mapping"));
    }

    @ParameterizedTest(name = "{1}")
    @MethodSource("brokenPlans")
    void brokenPlanIsRefusedNamingFileLineAndProblem(String yaml, String expected) {
        InvalidDialPlanException e = assertThrows(InvalidDialPlanException.class, () -> reader.read("b.yaml", yaml));
        assertEquals(List.of(expected), e.problems().stream().map(DialPlanProblem::toString).toList());
    }

    @Test
    void everyProblemIsReportedInOnePass() {
        String yaml = """
                rules:
                  - prefix: "9"
                    mode: proxy
                    target: http://127.0.0.1
                  - prefix: "8x"
                    mode: redirect
                    target: sip:127.0.0.1:5091
                  - prefix: "00"
                    mode: bounce
                  - prefix: "9"
                    mode: reject
                    status: 403
                """;
        InvalidDialPlanException e = assertThrows(InvalidDialPlanException.class, () -> reader.read("plan.yaml", yaml));
        assertEquals(List.of(
                "plan.yaml:4:13: target 'http://127.0.0.1' is not a SIP URI (expected e.g. sip:192.0.2.10:5060)",
                "plan.yaml:5:13: prefix '8x' holds characters other than 0-9 * # +",
                "plan.yaml:9:11: unknown mode 'bounce'; use proxy, redirect or reject"),
                e.problems().stream().map(DialPlanProblem::toString).toList());
        assertTrue(e.getMessage().startsWith("dial plan refused, 3 problems:\n  plan.yaml:4:13:"), e.getMessage());
    }

    @Test
    void missingFileIsAProblemNotACrash() {
        InvalidDialPlanException e = assertThrows(InvalidDialPlanException.class, () -> reader.read(Path.of("no/such/plan.yaml")));
        assertEquals("no/such/plan.yaml: no such file", e.problems().get(0).toString());
    }
}
