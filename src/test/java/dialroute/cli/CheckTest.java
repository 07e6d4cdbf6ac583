package dialroute.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dialroute.dialplan.DialPlan;
import dialroute.dialplan.InvalidDialPlanException;
import dialroute.dialplan.Rule;
import dialroute.dialplan.yaml.YamlDialPlanReader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.yaml.snakeyaml.Yaml;

class CheckTest {
    static final String SAMPLE = "dialplans/sample.yaml";
    static final String AT = "2026-11-30T09:00:00Z"; // a Monday
    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    // ---- validation ----

    @Test
    void validSamplePlanIsSummarizedOnOneLine() throws InvalidDialPlanException {
        Check.Result r = Check.run(SAMPLE);
        assertEquals(0, r.exitCode(), r.err());
        DialPlan plan = new YamlDialPlanReader().read(Path.of(SAMPLE));
        assertEquals("dialplans/sample.yaml: valid, version " + plan.version() + ", " + plan.rules().size() + " rules, "
                + plan.endpoints().size() + " destinations and groups\n", r.out());
        assertTrue(plan.version().matches("[0-9a-f]{12}") && plan.rules().size() > 1 && plan.endpoints().size() > 1);
        assertEquals("", r.err());
    }

    @Test
    void brokenPlanListsEveryProblemWithLineAndColumnAndExits1() throws IOException {
        Path plan = write("broken.yaml", """
                rules:
                  - prefix: "9"
                    mode: proxy
                    target: 127.0.0.1:5190
                  - prefix: "8"
                    mode: forward
                    target: sip:127.0.0.1:5091
                  - prefix: "00"
                    mode: reject
                    status: 403
                    strp: 1
                """);
        Check.Result r = Check.run(plan.toString());
        assertEquals(1, r.exitCode());
        assertEquals(List.of(
                plan + ":4:13: target '127.0.0.1:5190' is not a SIP URI (expected e.g. sip:192.0.2.10:5060)",
                plan + ":6:11: unknown mode 'forward'; use proxy, redirect or reject",
                plan + ":11:5: unknown key 'strp' in a rule; expected one of prefix, description, when, mode, target, targets,"
                        + " strategy, failover-on, provisional-timeout, record-route, status, reason, strip, prepend, translate, unavailable"),
                r.out().lines().toList());
        assertEquals(plan + ": invalid, 3 problems\n", r.err());

        // The same refusal stops a what-if: no decision from a plan the server would not load.
        Check.Result asked = Check.run(plan.toString(), "--number", "9123");
        assertEquals(1, asked.exitCode());
        assertEquals(r.out(), asked.out());
    }

    @Test
    void missingFileIsAProblemToo() {
        Check.Result r = Check.run(dir.resolve("nope.yaml").toString());
        assertEquals(1, r.exitCode());
        assertEquals(dir.resolve("nope.yaml") + ": no such file\n", r.out());
    }

    @Test
    void validationAsJson() throws IOException {
        JsonNode ok = JSON.readTree(Check.run(SAMPLE, "--json").out());
        assertTrue(ok.get("valid").asBoolean());
        assertTrue(ok.get("version").asText().matches("[0-9a-f]{12}"));
        assertTrue(ok.get("rules").asInt() > 1);
        assertTrue(ok.get("destinations_and_groups").asInt() > 1);

        Path plan = write("broken.yaml", "rules:\n  - prefix: \"9\"\n    mode: forward\n");
        Check.Result r = Check.run(plan.toString(), "--json");
        assertEquals(1, r.exitCode());
        JsonNode bad = JSON.readTree(r.out());
        assertFalse(bad.get("valid").asBoolean());
        JsonNode problem = bad.get("problems").get(0);
        assertEquals(plan.toString(), problem.get("file").asText());
        assertEquals(3, problem.get("line").asInt());
        assertEquals(11, problem.get("column").asInt());
        assertEquals("unknown mode 'forward'; use proxy, redirect or reject", problem.get("message").asText());
    }

    // ---- explanations of the sample plan ----

    @Test
    void proxyToOneServerWithTheNineStripped() {
        String out = explain(SAMPLE, "--number", "9123");
        assertLines(out,
                "Call:        number 9123, caller unknown, source unknown, at 2026-11-30T09:00:00Z",
                "  1. " + sample("9", 1) + ": CHOSEN (no conditions: it always applies)",
                "Matched:     " + sample("9", 1),
                "Number:      9123 -> 123 (strip 1)",
                "Action:      proxy, strategy sequential, Record-Route on (ACK, BYE and re-INVITEs pass through dialroute)",
                "On the wire: INVITE sip:123@127.0.0.1:5090;transport=udp  (pstn)",
                "Failover:    none; a single target, whose final response goes to the caller");
    }

    @Test
    void callerConditionFailsThenTheFallbackRejects() {
        String out = explain(SAMPLE, "--number", "1555", "--caller", "2000");
        assertLines(out,
                "Call:        number 1555, caller 2000, source unknown, at 2026-11-30T09:00:00Z",
                "  1. " + sample("1", 1) + ": conditions failed, search goes on",
                "       - caller starts with 1000: failed (caller 2000)",
                "  2. " + sample("1", 2) + ": CHOSEN (no conditions: it always applies)",
                "Matched:     " + sample("1", 2),
                "Number:      1555 -> 1555 (unchanged)",
                "Action:      reject",
                "On the wire: SIP/2.0 403 Forbidden");
        // Which rule came first and which was the fallback is the point: the order is part of the answer.
        assertTrue(out.indexOf(sample("1", 1)) < out.indexOf(sample("1", 2)), out);
    }

    @Test
    void callerConditionHoldsAndTheFallbackIsNotNeeded() {
        String out = explain(SAMPLE, "--number", "1555", "--caller", "1000");
        assertLines(out,
                "       - caller starts with 1000: held (caller 1000)",
                "  2. " + sample("1", 2) + ": not needed (already decided)",
                "On the wire: INVITE sip:1555@127.0.0.1:5090;transport=udp  (pstn)");
    }

    @Test
    void redirectWithThreeContactsRankedByQ() {
        String out = explain(SAMPLE, "--number", "4123");
        assertLines(out,
                "Number:      4123 -> 4123 (unchanged)",
                "Action:      redirect 302",
                "On the wire: SIP/2.0 302 Moved Temporarily, nothing sent onward; the caller calls a Contact itself:",
                "  Contact: <sip:4123@127.0.0.1:5091>;q=1.0  (branch-a)",
                "  Contact: <sip:4123@127.0.0.1:5092>;q=0.5  (branch-b)",
                "  Contact: <sip:4123@127.0.0.1:5093>;q=0.1  (branch-c)");
        assertTrue(out.indexOf("5091>") < out.indexOf("5092>") && out.indexOf("5092>") < out.indexOf("5093>"), out);
    }

    @Test
    void sequentialChainWithFailover() {
        String out = explain(SAMPLE, "--number", "7123");
        assertLines(out,
                "Number:      7123 -> 123 (strip 1)",
                "Action:      proxy, strategy sequential, Record-Route on (ACK, BYE and re-INVITEs pass through dialroute)",
                "On the wire: INVITE to one target at a time, in this order:",
                "  1. sip:123@127.0.0.1:5093;transport=udp  (backup)",
                "  2. sip:123@127.0.0.1:5090;transport=udp  (pstn)",
                "Failover:    to the next target on a final 408, 480, 5xx, or when no provisional response arrives within 2 s;"
                        + " the caller sees one call, and the best final error only when every target failed");
    }

    @Test
    void downAndDisabledDestinationsAreLeftOutAndNamed() {
        assertLines(explain(SAMPLE, "--number", "7123", "--down", "backup"),
                "Skipped:     backup (down) (left out of this call)",
                "On the wire: INVITE sip:123@127.0.0.1:5090;transport=udp  (pstn)");
        assertLines(explain(SAMPLE, "--number", "7123", "--down", "backup", "--disabled", "pstn"),
                "Skipped:     backup (down), pstn (disabled) (left out of this call)",
                "Action:      reject: every destination of the rule is down or disabled",
                "On the wire: SIP/2.0 503 Service Unavailable, Retry-After: 60");
        assertLines(explain(SAMPLE, "--number", "4123", "--down", "branch-a"),
                "  Contact: <sip:4123@127.0.0.1:5092>;q=0.5  (branch-b)");
    }

    @Test
    void parallelForkHasNoFailover() {
        String out = explain(SAMPLE, "--number", "6123");
        assertLines(out,
                "On the wire: INVITE forked to every target at once; the first 2xx wins, the other branches are CANCELled:",
                "  - sip:123@127.0.0.1:5093;transport=udp  (backup)",
                "  - sip:123@127.0.0.1:5090;transport=udp  (pstn)",
                "Failover:    none (parallel); the caller gets the best final error only when every branch failed");
    }

    @Test
    void translationAndRejectionAndNoRoute() {
        assertLines(explain(SAMPLE, "--number", "3201"), "Number:      3201 -> +44201 (translate 3(\\d+) -> +44$1)",
                "On the wire: INVITE sip:+44201@127.0.0.1:5090;transport=udp  (pstn)");
        assertLines(explain(SAMPLE, "--number", "0044-20-7946"), "Number:      0044207946 -> 0044207946 (unchanged)",
                "On the wire: SIP/2.0 403 International Calls Barred");
        assertLines(explain(SAMPLE, "--number", "2123"),
                "Candidate rules: none (no prefix in the plan matches the start of 2123)",
                "Matched:     no rule", "On the wire: SIP/2.0 404 Not Found");
        assertLines(explain(SAMPLE, "--number", "alice"), "On the wire: SIP/2.0 404 Not Found");
        assertLines(explain(SAMPLE, "--number", "9"), "Number:      9 -> (nothing left) (strip 1)",
                "Action:      reject: the rule's rewrite (strip 1) leaves no digits to dial",
                "On the wire: SIP/2.0 484 Address Incomplete");
    }

    @Test
    void weightedGroupWithoutSeedShowsListedOrderAndWeights() {
        String out = explain(SAMPLE, "--number", "5123");
        assertLines(out,
                "Targets:     split, a weighted group of:",
                "               pstn sip:127.0.0.1:5090, weight 70 (first in 70% of calls)",
                "               backup sip:127.0.0.1:5093, weight 30 (first in 30% of calls)",
                "Order:       drawn by weight for each call; below in listed order, as if the first listed won every draw"
                        + " (give --seed S to draw one call's order)",
                "  1. sip:123@127.0.0.1:5090;transport=udp  (pstn)",
                "  2. sip:123@127.0.0.1:5093;transport=udp  (backup)");
    }

    @Test
    void aSeedDrawsOneCallsOrderReproducibly() throws IOException {
        List<String> firsts = new ArrayList<>();
        for (int seed = 0; seed < 40; seed++) {
            JsonNode chain = JSON.readTree(explain(SAMPLE, "--number", "5123", "--seed", Integer.toString(seed), "--json"))
                    .at("/proxy/chain");
            assertEquals(2, chain.size());
            assertNotEquals(chain.get(0).get("destination").asText(), chain.get(1).get("destination").asText());
            firsts.add(chain.get(0).get("destination").asText());
        }
        assertTrue(firsts.contains("pstn") && firsts.contains("backup"), "both orders occur over 40 seeds: " + firsts);
        assertEquals(explain(SAMPLE, "--number", "5123", "--seed", "7"), explain(SAMPLE, "--number", "5123", "--seed", "7"));
        assertLines(explain(SAMPLE, "--number", "5123", "--seed", "7"), "Order:       drawn by weight for each call; below is one draw (--seed 7)");
    }

    // ---- JSON, parsed back ----

    @Test
    void jsonOfTheSequentialChain() throws IOException {
        Check.Result r = Check.run(SAMPLE, "--number", "7123", "--caller", "1000", "--source", "192.0.2.7", "--at", AT, "--json");
        assertEquals(0, r.exitCode(), r.err());
        JsonNode j = JSON.readTree(r.out());
        assertEquals("dialplans/sample.yaml", j.get("plan").asText());
        assertTrue(j.get("version").asText().matches("[0-9a-f]{12}"));
        assertEquals("7123", j.at("/call/number").asText());
        assertEquals("1000", j.at("/call/caller").asText());
        assertEquals("192.0.2.7", j.at("/call/source").asText());
        assertEquals(AT, j.at("/call/at").asText());
        assertTrue(j.at("/call/seed").isNull());
        assertEquals("7123", j.get("dialled").asText());
        assertEquals(1, j.get("candidates").size());
        assertEquals("chosen", j.at("/candidates/0/verdict").asText());
        assertEquals("7", j.at("/rule/prefix").asText());
        assertEquals(sample("7", 1), "prefix \"7\" at line " + j.at("/rule/line").asInt() + " (" + j.at("/rule/description").asText() + ")");
        assertEquals("123", j.get("number").asText());
        assertEquals("strip 1", j.get("rewrite").asText());
        assertEquals("proxy", j.get("action").asText());
        assertTrue(j.get("redirect").isNull());
        assertTrue(j.get("reject").isNull());
        JsonNode p = j.get("proxy");
        assertEquals("sequential", p.get("strategy").asText());
        assertEquals("sequential", p.get("forking").asText());
        assertTrue(p.get("record_route").asBoolean());
        assertFalse(p.get("weighted").asBoolean());
        assertEquals("listed", p.get("order").asText());
        assertEquals("backup", p.at("/targets/0/name").asText());
        assertEquals("destination", p.at("/targets/0/kind").asText());
        assertEquals("sip:127.0.0.1:5093", p.at("/targets/0/uri").asText());
        assertEquals(List.of("sip:123@127.0.0.1:5093;transport=udp", "sip:123@127.0.0.1:5090;transport=udp"),
                p.get("chain").findValuesAsText("uri"));
        assertEquals(List.of("backup", "pstn"), p.get("chain").findValuesAsText("destination"));
        assertEquals("123", p.at("/chain/0/number").asText());
        assertEquals(List.of("408", "480", "5xx"), JSON.convertValue(p.at("/failover/on"), List.class));
        assertEquals(2, p.at("/failover/provisional_timeout_seconds").asInt());
    }

    @Test
    void jsonOfTheRedirectAndTheRejection() throws IOException {
        JsonNode redirect = JSON.readTree(explain(SAMPLE, "--number", "4123", "--json"));
        assertEquals("redirect", redirect.get("action").asText());
        assertEquals(302, redirect.at("/redirect/status").asInt());
        assertEquals("Moved Temporarily", redirect.at("/redirect/reason").asText());
        JsonNode contacts = redirect.at("/redirect/contacts");
        assertEquals(3, contacts.size());
        assertEquals(List.of(1.0, 0.5, 0.1), IntStream.range(0, 3).mapToObj(i -> contacts.get(i).get("q").asDouble()).toList());
        assertEquals("sip:4123@127.0.0.1:5092", contacts.get(1).get("uri").asText());
        assertEquals("<sip:4123@127.0.0.1:5092>;q=0.5", contacts.get(1).get("header").asText());
        assertTrue(contacts.get(1).get("expires").isNull());

        JsonNode reject = JSON.readTree(explain(SAMPLE, "--number", "1555", "--caller", "2000", "--json"));
        assertEquals("conditions_failed", reject.at("/candidates/0/verdict").asText());
        assertEquals("caller starts with 1000", reject.at("/candidates/0/conditions/0/condition").asText());
        assertFalse(reject.at("/candidates/0/conditions/0/held").asBoolean());
        assertEquals("caller 2000", reject.at("/candidates/0/conditions/0/observed").asText());
        assertEquals("chosen", reject.at("/candidates/1/verdict").asText());
        assertEquals(403, reject.at("/reject/status").asInt());
        assertEquals("Forbidden", reject.at("/reject/reason").asText());
        assertEquals("rule", reject.at("/reject/cause").asText());

        JsonNode none = JSON.readTree(explain(SAMPLE, "--number", "2123", "--json"));
        assertTrue(none.get("rule").isNull());
        assertEquals("no_route", none.at("/reject/cause").asText());
        assertEquals(0, none.get("candidates").size());
    }

    // ---- small inline plans ----

    static final String CONDITIONS_PLAN = """
            destinations:
              a: sip:192.0.2.1:5060
              b: {uri: "sips:gw.example.net", prepend: "0"}
            rules:
              - prefix: ""
                mode: reject
                status: 480
              - prefix: "9"
                mode: proxy
                strategy: weighted
                targets:
                  - {to: a, weight: 3}
                  - {to: b, weight: 1}
                  - {to: "sip:[2001:db8::5]:5070;transport=tcp", weight: 0}
                record-route: false
                strip: 1
              - prefix: "91"
                description: office hours from the office network
                when: {source: 10.0.0.0/8, time: {days: [mon-fri], hours: "08:00-18:00", zone: Europe/Berlin}}
                mode: redirect
                status: 301
                targets:
                  - {to: a, expires: 60}
                  - b
              - prefix: "91"
                when: {caller-regex: "2\\\\d+"}
                mode: reject
                status: 503
            """;

    @Test
    void shorterPrefixesAreListedAfterTheOneThatDecided() throws IOException {
        Path plan = write("conditions.yaml", CONDITIONS_PLAN);
        String out = explain(plan.toString(), "--number", "9123", "--source", "10.1.2.3");
        assertLines(out,
                "  1. prefix \"91\" at line 17 (office hours from the office network): CHOSEN (all conditions held)",
                "       - source in 10.0.0.0/8: held (source 10.1.2.3)",
                "       - time mon,tue,wed,thu,fri 08:00-18:00 Europe/Berlin: held (local time mon 2026-11-30 10:00)",
                "  2. prefix \"91\" at line 25: not needed (already decided)",
                "  3. prefix \"9\" at line 8: not needed (already decided)",
                "  4. prefix \"\" at line 5: not needed (already decided)",
                "On the wire: SIP/2.0 301 Moved Permanently, nothing sent onward; the caller calls a Contact itself:",
                "  Contact: <sip:9123@192.0.2.1:5060>;q=1.0;expires=60  (a)",
                "  Contact: <sips:09123@gw.example.net>;q=0.5  (b)");
    }

    @Test
    void everyConditionFailingFallsBackToTheShorterPrefix() throws IOException {
        Path plan = write("conditions.yaml", CONDITIONS_PLAN);
        String out = explain(plan.toString(), "--number", "9123", "--source", "[2001:db8::1]", "--caller", "3",
                "--at", "2026-11-29T10:00:00+01:00");
        assertLines(out,
                "Call:        number 9123, caller 3, source 2001:db8:0:0:0:0:0:1, at 2026-11-29T09:00:00Z",
                "  1. prefix \"91\" at line 17 (office hours from the office network): conditions failed, search goes on",
                "       - source in 10.0.0.0/8: failed (source 2001:db8:0:0:0:0:0:1)",
                "       - time mon,tue,wed,thu,fri 08:00-18:00 Europe/Berlin: failed (local time sun 2026-11-29 10:00)",
                "  2. prefix \"91\" at line 25: conditions failed, search goes on",
                "       - caller matches 2\\d+: failed (caller 3)",
                "  3. prefix \"9\" at line 8: CHOSEN (no conditions: it always applies)",
                "  4. prefix \"\" at line 5: not needed (already decided)",
                "Action:      proxy, strategy weighted, Record-Route off",
                "Targets:     a sip:192.0.2.1:5060, weight 3 (first in 75% of calls)",
                "             b sips:gw.example.net, weight 1 (first in 25% of calls)",
                "             sip:[2001:db8::5]:5070;transport=tcp, weight 0 (first in 0% of calls)",
                // A sips: target and one naming its transport get no ;transport=udp; b's own prepend shows.
                "  1. sip:123@192.0.2.1:5060;transport=udp  (a)",
                "  2. sips:0123@gw.example.net  (b; number 0123 after the destination's prepend 0)",
                "  3. sip:123@[2001:db8::5]:5070;transport=tcp");
    }

    @Test
    void aRejectWithoutReasonUsesTheStandardPhrase() throws IOException {
        Path plan = write("conditions.yaml", CONDITIONS_PLAN);
        assertLines(explain(plan.toString(), "--number", "5"), "On the wire: SIP/2.0 480 Temporarily Unavailable");
        assertLines(explain(plan.toString(), "--number", "915", "--caller", "21"), "On the wire: SIP/2.0 503 Service Unavailable");
    }

    // ---- bad arguments ----

    @ParameterizedTest
    @ValueSource(strings = {
            "--numbr 9123",
            "--number",
            "--number --json",
            "--number 9123 --source localhost",
            "--number 9123 --source pbx.example.net",
            "--number 9123 --source 192.0.2",
            "--number 9123 --source 192.0.2.300",
            "--number 9123 --source .:",
            "--number 9123 --at 2026-11-30T09:00:00",
            "--number 9123 --at tomorrow",
            "--number 9123 --seed x",
            "--number 9123 --number 9124",
            "--caller 2000",
            "--number 9123 --down pstnn",
            "--down pstn",
            "dialplans/other.yaml",
    })
    void badArgumentsGiveOneLineAndExit2(String args) {
        List<String> argv = new ArrayList<>(List.of(SAMPLE));
        argv.addAll(List.of(args.split(" ")));
        Check.Result r = Check.run(argv.toArray(new String[0]));
        assertEquals(2, r.exitCode(), r.out());
        assertEquals("", r.out());
        assertEquals(1, r.err().lines().count(), r.err());
        assertTrue(r.err().startsWith("check: ") && r.err().contains("Usage: check PLAN"), r.err());
    }

    @Test
    void noPlanIsAUsageError() {
        Check.Result r = Check.run();
        assertEquals(2, r.exitCode());
        assertTrue(r.err().startsWith("check: no PLAN given."), r.err());
    }

    @Test
    void addressesAreLiteralsOnly() throws Check.UsageException {
        assertEquals("192.0.2.1", Check.parseAddress("192.0.2.1").getHostAddress());
        assertEquals("0:0:0:0:0:0:0:1", Check.parseAddress("::1").getHostAddress());
        assertEquals("2001:db8:0:0:0:0:0:1", Check.parseAddress("[2001:db8::1]").getHostAddress());
        for (String name : List.of("localhost", "example.invalid", "a:b.example", "dead.beef", "1.2.3", "[1.2.3.4]")) {
            // Refused before any lookup: every one of these would otherwise go to DNS or parse oddly.
            org.junit.jupiter.api.Assertions.assertThrows(Check.UsageException.class, () -> Check.parseAddress(name), name);
        }
    }

    /**
     * {@code prefix "P" at line N (description)} for the {@code nth} rule of the sample plan with
     * prefix P, taken from the file, so editing the sample's comments or wording breaks nothing here.
     */
    @SuppressWarnings("unchecked")
    static String sample(String prefix, int nth) {
        try {
            List<Rule> rules = new YamlDialPlanReader().read(Path.of(SAMPLE)).rules().stream()
                    .filter(r -> r.prefix().equals(prefix)).toList();
            List<Map<String, Object>> yaml = (List<Map<String, Object>>) new Yaml()
                    .<Map<String, Object>>load(Files.readString(Path.of(SAMPLE))).get("rules");
            Object description = yaml.stream().filter(r -> prefix.equals(r.get("prefix"))).toList().get(nth - 1).get("description");
            return "prefix \"" + prefix + "\" at line " + rules.get(nth - 1).line() + (description == null ? "" : " (" + description + ")");
        } catch (IOException | InvalidDialPlanException e) {
            throw new AssertionError(e);
        }
    }

    private static String explain(String plan, String... args) {
        List<String> argv = new ArrayList<>(List.of(plan));
        argv.addAll(List.of(args));
        if (!argv.contains("--at")) {
            argv.addAll(List.of("--at", AT));
        }
        Check.Result r = Check.run(argv.toArray(new String[0]));
        assertEquals(0, r.exitCode(), r.err());
        assertEquals("", r.err());
        return r.out();
    }

    /** Each expected line appears in the output, whole. */
    private static void assertLines(String out, String... expected) {
        List<String> lines = out.lines().toList();
        for (String line : expected) {
            assertTrue(lines.contains(line), "missing line\n  " + line + "\nin\n" + out);
        }
    }

    private Path write(String name, String yaml) throws IOException {
        return Files.writeString(dir.resolve(name), yaml);
    }
}
