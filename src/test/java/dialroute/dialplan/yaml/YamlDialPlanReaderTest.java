package dialroute.dialplan.yaml;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dialroute.dialplan.Action;
import dialroute.dialplan.Call;
import dialroute.dialplan.Decision;
import dialroute.dialplan.Hop;
import dialroute.dialplan.DialPlan;
import dialroute.dialplan.DialPlanProblem;
import dialroute.dialplan.InvalidDialPlanException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Random;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

class YamlDialPlanReaderTest {
    private final YamlDialPlanReader reader = new YamlDialPlanReader();

    @ParameterizedTest(name = "{0} from {1} -> {2}")
    @CsvSource(delimiter = '|', value = {
            // dialled | caller | what happens
            "9123      | 2000   | proxy sequential sip:123@127.0.0.1:5090",
            "8123      | 2000   | redirect 302 sip:8123@127.0.0.1:5091",
            "00441234  | 2000   | reject 403 International Calls Barred",
            "7123      | 2000   | proxy sequential sip:123@127.0.0.1:5093 sip:123@127.0.0.1:5090",
            "6123      | 2000   | proxy parallel sip:123@127.0.0.1:5093 sip:123@127.0.0.1:5090",
            "5123      | 2000   | proxy sequential sip:123@127.0.0.1:5090 sip:123@127.0.0.1:5093",
            "4123      | 2000   | redirect 302 sip:4123@127.0.0.1:5091;q=1.0 sip:4123@127.0.0.1:5092;q=0.5 sip:4123@127.0.0.1:5093;q=0.1",
            "3201      | 2000   | proxy sequential sip:+44201@127.0.0.1:5090",
            "1555      | 1000   | proxy sequential sip:1555@127.0.0.1:5090",
            "1555      | 10001  | proxy sequential sip:1555@127.0.0.1:5090",
            "1555      | 2000   | reject 403",
            "2123      | 2000   | reject 404 Not Found",
    })
    void samplePlanRoutesAsTheReadmeSays(String dialled, String caller, String expected) throws Exception {
        DialPlan plan = reader.read(Path.of("dialplans/sample.yaml"));
        assertEquals(expected, summary(plan.route(new Call(dialled, caller, null, Instant.EPOCH), new Random(7))));
    }

    /** What goes on the wire, in one line: action, strategy or status, then each URI. */
    static String summary(Decision decision) {
        StringBuilder s = new StringBuilder();
        if (decision.action() instanceof Action.ProxyTo p) {
            s.append("proxy ").append(p.strategy().toString().toLowerCase());
        } else if (decision.action() instanceof Action.RedirectTo r) {
            s.append("redirect ").append(r.status());
        } else {
            Action.Reject r = (Action.Reject) decision.action();
            s.append("reject ").append(r.status()).append(r.reason() == null ? "" : " " + r.reason());
        }
        for (Hop hop : decision.hops()) {
            String uri = hop.target().uri();
            s.append(' ').append(uri, 0, 4).append(hop.number()).append('@').append(uri.substring(4));
            if (hop.q() != null) {
                s.append(";q=").append(hop.q());
            }
        }
        return s.toString();
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
                        "b.yaml:1:1: unknown key 'rule' in the plan; expected one of probing, destinations, groups, rules"),
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
                        "b.yaml:2:5: proxy rule has no 'target' (a SIP URI such as sip:192.0.2.10:5060, or a destination name)"),
                // rule without mode
                Arguments.of("rules:\n  - prefix: '9'\n", "b.yaml:2:5: a rule has no 'mode' (proxy, redirect or reject)"),
                // rule without prefix
                Arguments.of("rules:\n  - mode: reject\n    status: 403\n",
                        "b.yaml:2:5: a rule has no 'prefix' (use \"\" for a rule that matches every number)"),
                // a typo must not silently drop the rewrite
                Arguments.of("rules:\n  - prefix: '9'\n    mode: proxy\n    target: sip:127.0.0.1\n    strp: 1\n",
                        "b.yaml:5:5: unknown key 'strp' in a rule; expected one of prefix, description, when, mode, target, targets, strategy, failover-on, provisional-timeout, record-route, status, reason, strip, prepend, translate, unavailable"),
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
                        "b.yaml:2:13: 'prefix' must be a single value, not a list or mapping"),
                // a name nobody declared: a typo would otherwise lose calls
                Arguments.of("destinations:\n  pstn: sip:127.0.0.1:5090\nrules:\n  - {prefix: '9', mode: proxy, target: psnt}\n",
                        "b.yaml:4:40: unknown destination 'psnt'; declared are pstn"),
                Arguments.of("rules:\n  - {prefix: '9', mode: proxy, target: pstn}\n",
                        "b.yaml:2:40: unknown destination 'pstn'; no destinations or groups are declared"),
                // groups hold destinations, not other groups
                Arguments.of("destinations: {a: 'sip:127.0.0.1:1', b: 'sip:127.0.0.1:2'}\ngroups:\n  g1: {members: [a]}\n  g2: {members: [g1, b]}\n"
                        + "rules:\n  - {prefix: '9', mode: proxy, target: g2}\n",
                        "b.yaml:4:18: group 'g2' cannot contain group 'g1'; list its destinations instead"),
                // a weighted spread where nobody gets calls
                Arguments.of("destinations: {a: 'sip:127.0.0.1:1', b: 'sip:127.0.0.1:2'}\nrules:\n  - prefix: '9'\n    mode: proxy\n"
                        + "    strategy: weighted\n    targets: [{to: a, weight: 0}, {to: b, weight: 0}]\n",
                        "b.yaml:6:14: the weights of this rule's targets sum to zero; no target would get a call"),
                Arguments.of("destinations: {a: 'sip:127.0.0.1:1'}\ngroups:\n  g: {strategy: weighted, members: [{destination: a, weight: 0}]}\n"
                        + "rules:\n  - {prefix: '9', mode: proxy, target: g}\n",
                        "b.yaml:3:36: the weights of group 'g' sum to zero; no member would get a call"),
                // weight means nothing when targets are tried in order
                Arguments.of("rules:\n  - prefix: '9'\n    mode: proxy\n    targets: [{to: 'sip:127.0.0.1:1', weight: 5}]\n",
                        "b.yaml:4:39: 'weight' applies only with strategy weighted"),
                Arguments.of("rules:\n  - prefix: '9'\n    mode: proxy\n    target: sip:127.0.0.1:1\n    targets: [sip:127.0.0.1:2]\n",
                        "b.yaml:5:5: give either 'target' or 'targets', not both"),
                // q-values are between 0 and 1
                Arguments.of("rules:\n  - prefix: '4'\n    mode: redirect\n    targets: [{to: 'sip:127.0.0.1:1', q: 1.5}]\n",
                        "b.yaml:4:42: q 1.5 must be between 0 and 1 with at most 3 decimals (RFC 3261 section 20.10)"),
                Arguments.of("rules:\n  - prefix: '4'\n    mode: redirect\n    status: 303\n    target: sip:127.0.0.1:1\n",
                        "b.yaml:4:13: redirect status 303 is not one of 300, 301, 302, 305, 380"),
                // a 6xx is final everywhere
                Arguments.of("rules:\n  - prefix: '7'\n    mode: proxy\n    target: sip:127.0.0.1:1\n    failover-on: [408, 603]\n",
                        "b.yaml:5:24: failover-on 603: a 6xx means the call fails everywhere (RFC 3261 section 21.6); never fail over on it"),
                Arguments.of("rules:\n  - prefix: '6'\n    mode: proxy\n    strategy: parallel\n    targets: [sip:127.0.0.1:1, sip:127.0.0.1:2]\n"
                        + "    provisional-timeout: 2s\n",
                        "b.yaml:6:5: 'provisional-timeout' does not apply with strategy parallel: every target is tried at once"),
                Arguments.of("rules:\n  - prefix: '7'\n    mode: proxy\n    target: sip:127.0.0.1:1\n    provisional-timeout: 500ms\n",
                        "b.yaml:5:26: provisional-timeout '500ms' must be whole seconds such as 2s"),
                // translation that cannot work
                Arguments.of("rules:\n  - prefix: '3'\n    mode: proxy\n    target: sip:127.0.0.1:1\n    translate: {match: '3(\\d+', replace: '+44$1'}\n",
                        "b.yaml:5:24: regex '3(\\d+' does not compile: Unclosed group at index 5"),
                Arguments.of("rules:\n  - prefix: '3'\n    mode: proxy\n    target: sip:127.0.0.1:1\n    translate: {match: '3\\d+', replace: '+44$1'}\n",
                        "b.yaml:5:41: replacement '+44$1' uses $1 but regex '3\\d+' has 0 groups"),
                // time windows that can never match, or are ambiguous
                Arguments.of("rules:\n  - prefix: '1'\n    when: {time: {days: sat, dates: '2026-12-21..2026-12-25', zone: UTC}}\n    mode: reject\n    status: 480\n",
                        "b.yaml:3:18: the time window can never match: the dates 2026-12-21..2026-12-25 fall on none of its days"),
                Arguments.of("rules:\n  - prefix: '1'\n    when: {time: {hours: '09:00-09:00', zone: UTC}}\n    mode: reject\n    status: 480\n",
                        "b.yaml:3:26: hours '09:00-09:00' is empty and can never match; leave 'hours' out for all day"),
                Arguments.of("rules:\n  - prefix: '1'\n    when: {time: {dates: '2026-12-26..2026-12-24', zone: UTC}}\n    mode: reject\n    status: 480\n",
                        "b.yaml:3:26: dates '2026-12-26..2026-12-24' end before they start; the window can never match"),
                Arguments.of("rules:\n  - prefix: '1'\n    when: {time: {days: mon-fri, zone: Europe/Berlinn}}\n    mode: reject\n    status: 480\n",
                        "b.yaml:3:40: unknown time zone 'Europe/Berlinn'; use an IANA name such as Europe/Berlin"),
                Arguments.of("rules:\n  - prefix: '1'\n    when: {time: {days: mon-fri}}\n    mode: reject\n    status: 480\n",
                        "b.yaml:3:18: 'time' has no 'zone' (an IANA time zone such as Europe/Berlin; a window without one would follow the server's clock)"),
                Arguments.of("rules:\n  - prefix: '1'\n    when: {time: {days: 'mon-fry', zone: UTC}}\n    mode: reject\n    status: 480\n",
                        "b.yaml:3:25: days 'mon-fry': 'mon-fry' is not a day (mon..sun) or range (mon-fri)"),
                Arguments.of("rules:\n  - prefix: '1'\n    when: {source: 10.0.0.0/33}\n    mode: reject\n    status: 480\n",
                        "b.yaml:3:20: '10.0.0.0/33' has prefix length /33; an IPv4 network takes /0 to /32"),
                Arguments.of("rules:\n  - prefix: '1'\n    when: {source: intranet}\n    mode: reject\n    status: 480\n",
                        "b.yaml:3:20: 'intranet' is not a network (e.g. 10.0.0.0/8 or 2001:db8::/32)"),
                // probing: durations, counts and statuses that cannot work
                Arguments.of("probing: {interval: 10 seconds}\nrules:\n  - {prefix: '9', mode: reject, status: 403}\n",
                        "b.yaml:1:21: interval '10 seconds' must be a duration such as 500ms or 10s"),
                Arguments.of("probing: {interval: 50ms}\nrules:\n  - {prefix: '9', mode: reject, status: 403}\n",
                        "b.yaml:1:21: interval 50ms is outside 100ms..3600s"),
                Arguments.of("probing: {interval: 1s, timeout: 2s}\nrules:\n  - {prefix: '9', mode: reject, status: 403}\n",
                        "b.yaml:1:34: 'probing': timeout 2000 ms is longer than the interval 1000 ms; a probe must end before the next starts"),
                Arguments.of("probing: {down-after: 0}\nrules:\n  - {prefix: '9', mode: reject, status: 403}\n",
                        "b.yaml:1:23: down-after must be 1 to 100, was 0"),
                Arguments.of("probing: {accept: [200, 1xx]}\nrules:\n  - {prefix: '9', mode: reject, status: 403}\n",
                        "b.yaml:1:25: '1xx' in accept is not a final status code (e.g. 200) or class (e.g. 2xx)"),
                Arguments.of("probing: {intervall: 5s}\nrules:\n  - {prefix: '9', mode: reject, status: 403}\n",
                        "b.yaml:1:11: unknown key 'intervall' in 'probing'; expected one of interval, timeout, down-after, up-after, accept"),
                Arguments.of("destinations:\n  a: {uri: 'sip:127.0.0.1:1', probe: yes}\nrules:\n  - {prefix: '9', mode: proxy, target: a}\n",
                        "b.yaml:2:38: probe of destination 'a' must be true, false or a mapping of interval, timeout, down-after, up-after, accept"),
                Arguments.of("destinations:\n  a: {uri: 'sip:127.0.0.1:1', probe: {up-after: 101}}\nrules:\n  - {prefix: '9', mode: proxy, target: a}\n",
                        "b.yaml:2:49: up-after must be 1 to 100, was 101"),
                // what a rule does when its destinations are all unavailable
                Arguments.of("rules:\n  - {prefix: '9', mode: proxy, target: 'sip:127.0.0.1:1', unavailable: skip}\n",
                        "b.yaml:2:72: unavailable 'skip' must be 503 (answer 503 with Retry-After when every destination is down or disabled) or next-rule"),
                Arguments.of("rules:\n  - {prefix: '9', mode: reject, status: 403, unavailable: next-rule}\n",
                        "b.yaml:2:46: 'unavailable' does not apply to mode reject"),
                // the same prefix and conditions twice: the second could never match
                Arguments.of("rules:\n  - {prefix: '1', when: {caller: '1000'}, mode: reject, status: 403}\n"
                        + "  - {prefix: '1', when: {caller: '1000'}, mode: reject, status: 480}\n",
                        "b.yaml:3:5: duplicate prefix '1' with the same conditions: already used by the rule at line 2"));
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
