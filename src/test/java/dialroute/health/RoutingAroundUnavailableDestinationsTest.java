package dialroute.health;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;

import dialroute.dialplan.Action;
import dialroute.dialplan.Call;
import dialroute.dialplan.Decision;
import dialroute.dialplan.Destination;
import dialroute.dialplan.DialPlan;
import dialroute.dialplan.Explanation;
import dialroute.dialplan.Hop;
import dialroute.dialplan.Probe;
import dialroute.dialplan.StatusCodes;
import dialroute.dialplan.yaml.YamlDialPlanReader;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The plan and the health model together: who gets a call when destinations are down or disabled. */
class RoutingAroundUnavailableDestinationsTest {
    static final Instant T0 = Instant.parse("2026-11-28T10:00:00Z");
    static final DialPlan PLAN = plan("""
            probing: {interval: 1s, timeout: 500ms, down-after: 2, up-after: 3}
            destinations:
              a: {uri: 'sip:127.0.0.1:5190', probe: true}
              b: {uri: 'sip:127.0.0.1:5192', probe: true}
              c: {uri: 'sip:127.0.0.1:5193', probe: {interval: 5s, accept: [200]}}
              d: sip:127.0.0.1:5194
            rules:
              - {prefix: '1', mode: proxy, strategy: sequential, targets: [a, b]}
              - {prefix: '2', mode: proxy, strategy: parallel, targets: [a, b]}
              - {prefix: '3', mode: proxy, strategy: weighted, targets: [{to: a, weight: 90}, {to: b, weight: 10}]}
              - {prefix: '4', mode: redirect, targets: [a, b, c]}
              - {prefix: '5', mode: proxy, targets: [a, c]}
              - {prefix: '6', mode: proxy, target: b}
              - {prefix: '61', mode: proxy, target: a, unavailable: next-rule}
              - {prefix: '7', mode: proxy, target: a, unavailable: next-rule}
              - {prefix: '8', mode: redirect, target: a}
              - {prefix: '9', mode: proxy, target: d}
            """);

    private final DestinationHealth health = new DestinationHealth();

    static DialPlan plan(String yaml) {
        try {
            return new YamlDialPlanReader().read("t.yaml", yaml);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private void down(String name) {
        Destination d = (Destination) PLAN.endpoints().get(name);
        for (int i = 0; i < d.probe().downAfter(); i++) {
            health.probed(d, null, null, T0.plusSeconds(i));
        }
    }

    private Decision route(String number) {
        return PLAN.route(new Call(number, "2000", null, T0), DialPlan.LISTED_ORDER, health);
    }

    private static List<String> names(Decision d) {
        return d.hops().stream().map(h -> h.destination().name()).toList();
    }

    @Test
    void probeSettingsComeFromThePlanWithPerDestinationOverrides() {
        Probe a = ((Destination) PLAN.endpoints().get("a")).probe();
        assertEquals(new Probe(Duration.ofSeconds(1), Duration.ofMillis(500), 2, 3, StatusCodes.of("2xx", "404", "405")), a);
        Probe c = ((Destination) PLAN.endpoints().get("c")).probe();
        assertEquals(new Probe(Duration.ofSeconds(5), Duration.ofMillis(500), 2, 3, StatusCodes.of("200")), c);
        assertNull(((Destination) PLAN.endpoints().get("d")).probe(), "probing is off unless a destination asks for it");
    }

    @Test
    void withEverythingUpTheDecisionIsTheSameAsWithoutHealth() {
        for (String n : List.of("1123", "2123", "3123", "4123", "5123", "6123", "61123", "7123", "8123", "9123")) {
            assertEquals(PLAN.lookup(n).toString(), route(n).toString(), n);
        }
    }

    @ParameterizedTest(name = "{0}: {1}")
    @CsvSource({
            "1123, sequential skips a",
            "2123, parallel forks to b only",
            "3123, weighted draw that put a first goes to b",
    })
    void proxyRulesSkipADownDestination(String number, String why) {
        down("a");
        Decision d = route(number);
        assertEquals(List.of("b"), names(d), why);
        assertEquals("[a (down)]", d.skipped().toString());
        assertEquals(PLAN.lookup(number).action(), d.action());
    }

    @Test
    void weightedDrawIsAmongTheDestinationsLeft() {
        health.setEnabled("b", false);
        RandomGenerator pickLast = new java.util.Random() {
            @Override
            public int nextInt(int bound) {
                return bound - 1; // the draw lands on b
            }
        };
        Decision d = PLAN.route(new Call("3123", null, null, T0), pickLast, health);
        assertEquals(List.of("a"), names(d));
        assertEquals("[b (disabled)]", d.skipped().toString());
    }

    @Test
    void allDestinationsDownAnswers503WithRetryAfterOfTheSoonestRecovery() {
        down("a");
        down("c");
        Decision d = route("5123");
        // a comes back after 3 probes 1 s apart, c after 3 probes 5 s apart
        assertEquals(new Action.Reject(503, "Service Unavailable", 3), d.action());
        assertEquals(List.of(), d.hops());
        assertEquals("[a (down), c (down)]", d.skipped().toString());
        assertEquals("5", d.rule().prefix(), "the rule is still named");
    }

    @Test
    void allDestinationsDisabledAnswers503RetryAfterAMinute() {
        health.setEnabled("a", false);
        health.setEnabled("b", false);
        Decision d = route("1123");
        assertEquals(new Action.Reject(503, "Service Unavailable", 60), d.action());
        assertEquals("[a (disabled), b (disabled)]", d.skipped().toString());
    }

    @Test
    void redirectLeavesUnavailableDestinationsOutOfTheContacts() {
        down("a");
        Decision d = route("4123");
        assertEquals(List.of("b", "c"), names(d));
        assertEquals(List.of(1.0, 0.5), d.hops().stream().map(Hop::q).toList(), "q-values follow the Contacts that remain");
        assertEquals(List.of("sip:4123@127.0.0.1:5192", "sip:4123@127.0.0.1:5193"), d.hops().stream().map(Hop::uri).toList());
    }

    @Test
    void redirectWithEveryContactDownAnswers503() {
        down("a");
        Decision d = route("8123");
        assertEquals(503, ((Action.Reject) d.action()).status());
        assertEquals(3, ((Action.Reject) d.action()).retryAfter());
    }

    @Test
    void nextRuleLetsTheSearchGoOnToAShorterPrefix() {
        down("a");
        Explanation e = PLAN.explain(new Call("61123", null, null, T0), DialPlan.LISTED_ORDER, health);
        assertEquals(List.of("b"), names(e.decision()));
        assertEquals("6", e.decision().rule().prefix());
        assertEquals("[a (down)]", e.decision().skipped().toString());
        assertEquals(List.of(Explanation.Verdict.DESTINATIONS_UNAVAILABLE, Explanation.Verdict.CHOSEN),
                e.steps().stream().map(Explanation.Step::verdict).toList());
    }

    @Test
    void nextRuleWithNoOtherRuleLeftStillAnswers503() {
        down("a");
        Decision d = route("7123");
        assertEquals(new Action.Reject(503, "Service Unavailable", 3), d.action());
        assertEquals("7", d.rule().prefix());
        assertEquals("7123", d.number());
    }

    @Test
    void aDestinationThatComesBackGetsCallsAgain() {
        down("a");
        Destination a = (Destination) PLAN.endpoints().get("a");
        for (int i = 0; i < 3; i++) {
            health.probed(a, 200, Duration.ofMillis(3), T0.plusSeconds(10 + i));
        }
        Decision d = route("1123");
        assertEquals(List.of("a", "b"), names(d));
        assertFalse(d.toString().contains("skipped"));
    }

    @Test
    void unprobedDestinationsAreLeftOutOnlyWhenDisabled() {
        assertEquals(List.of("d"), names(route("9123")));
        health.setEnabled("d", false);
        assertEquals(503, ((Action.Reject) route("9123").action()).status());
    }
}
