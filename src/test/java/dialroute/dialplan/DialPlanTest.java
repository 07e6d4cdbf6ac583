package dialroute.dialplan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class DialPlanTest {
    static final Target PSTN = Target.parse("sip:127.0.0.1:5090");
    static final Target MOBILE = Target.parse("sip:127.0.0.1:5092;transport=tcp");
    static final Target BRANCH = Target.parse("sip:127.0.0.1:5091");

    static final DialPlan PLAN = DialPlan.of("test.yaml", "v1", List.of(
            new Rule("9", new NumberRewrite(1, ""), Action.ProxyTo.to(PSTN), 1),
            new Rule("9017", new NumberRewrite(1, "+49"), Action.ProxyTo.to(MOBILE), 2),
            new Rule("8", NumberRewrite.NONE, Action.RedirectTo.to(BRANCH), 3),
            new Rule("00", NumberRewrite.NONE, new Action.Reject(403, "International Calls Barred"), 4),
            new Rule("*", NumberRewrite.NONE, new Action.Reject(480, null), 5)));

    @ParameterizedTest(name = "{0} -> {1} {2} via line {3}")
    @CsvSource({
            // dialled, action,   number on the wire, rule line
            "9123,      proxy,    123,                1",
            "9,         reject484,'',                 1", // only the prefix: nothing left after strip
            "90171234,  proxy,    +490171234,         2", // longer prefix wins over 9
            "9017,      proxy,    +49017,             2",
            "901,       proxy,    01,                 1", // shorter than 9017: falls back to 9
            "8123,      redirect, 8123,               3",
            "00441234,  reject,   00441234,           4",
            "0441234,   reject404,0441234,            0", // 0 alone is not a prefix of the plan
            "*21#,      reject480,*21#,               5",
            "7123,      reject404,7123,               0",
    })
    void longestPrefixWinsAndRewritesTheNumber(String dialled, String action, String number, int line) {
        Decision decision = PLAN.lookup(dialled);
        assertEquals(action, describe(decision.action()));
        assertEquals(number, decision.number());
        assertEquals(line, decision.matchedRule().map(Rule::line).orElse(0));
    }

    @Test
    void longerPrefixSendsToItsOwnTarget() {
        assertEquals(MOBILE, PLAN.lookup("90171234").hops().get(0).target());
    }

    @Test
    void noMatchIsA404DecisionNotNull() {
        Decision decision = PLAN.lookup("555");
        assertEquals(new Action.Reject(404, "Not Found"), decision.action());
        assertNull(decision.rule());
    }

    @Test
    void emptyPrefixMatchesEveryNumberButLosesToAnyLongerPrefix() {
        DialPlan plan = DialPlan.of("t", "v", List.of(
                new Rule("", NumberRewrite.NONE, Action.ProxyTo.to(PSTN), 1),
                new Rule("00", NumberRewrite.NONE, new Action.Reject(403, null), 2)));
        assertEquals("proxy", describe(plan.lookup("555").action()));
        assertEquals("reject", describe(plan.lookup("0049").action()));
    }

    @ParameterizedTest(name = "user part {0} -> {1}")
    @CsvSource({
            "9123,          proxy",
            "9-123,         proxy",      // visual separators are not digits (RFC 3966)
            "9(123).456,    proxy",
            "alice,         reject404",  // not a number: no route
            "9123abc,       reject404",
    })
    void routeReadsTheUserPartOfTheRequestUri(String userPart, String action) {
        assertEquals(action, describe(route(userPart).action()));
    }

    @Test
    void requestUriWithoutUserIsAddressIncomplete() {
        assertEquals(new Action.Reject(484, "Address Incomplete"), route(null).action());
        assertEquals(new Action.Reject(484, "Address Incomplete"), route("").action());
    }

    @Test
    void visualSeparatorsAreDroppedFromTheNumberSentOn() {
        assertEquals("123456", route("9-123-456").number());
    }

    @Test
    void samePrefixTwiceIsRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> DialPlan.of("t", "v", List.of(
                new Rule("9", NumberRewrite.NONE, Action.ProxyTo.to(PSTN), 3),
                new Rule("9", NumberRewrite.NONE, Action.ProxyTo.to(PSTN), 7))));
        assertEquals("prefix '9' appears twice with the same conditions (lines 3 and 7)", e.getMessage());
    }

    static Decision route(String userPart) {
        return PLAN.route(new Call(userPart, null, null, java.time.Instant.EPOCH), new java.util.Random(1));
    }

    static String describe(Action action) {
        if (action instanceof Action.ProxyTo) {
            return "proxy";
        }
        if (action instanceof Action.RedirectTo) {
            return "redirect";
        }
        Action.Reject reject = (Action.Reject) action;
        return reject.status() == 403 ? "reject" : "reject" + reject.status();
    }
}
