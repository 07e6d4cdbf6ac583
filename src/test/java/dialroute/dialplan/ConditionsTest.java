package dialroute.dialplan;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dialroute.dialplan.yaml.YamlDialPlanReader;
import java.net.InetAddress;
import java.time.Instant;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ConditionsTest {
    /**
     * 0800 from the LAN goes to 5001; holidays are closed; office hours in Berlin go to the office
     * (5002), nights to the night service (5003); anything else falls back to the 08 rule (5004).
     */
    static final String PLAN = """
            rules:
              - prefix: "0800"
                when: {source: [10.0.0.0/8, "2001:db8::/32"]}
                mode: proxy
                target: sip:127.0.0.1:5001
              - prefix: "0800"
                when:
                  time: {dates: "2026-12-24..2026-12-26", zone: Europe/Berlin}
                mode: reject
                status: 480
                reason: Closed For The Holidays
              - prefix: "0800"
                when:
                  time: {days: mon-fri, hours: "08:00-18:00", zone: Europe/Berlin}
                mode: proxy
                target: sip:127.0.0.1:5002
              - prefix: "0800"
                when:
                  time: {hours: "22:00-06:00", zone: Europe/Berlin}
                mode: proxy
                target: sip:127.0.0.1:5003
              - prefix: "08"
                mode: proxy
                target: sip:127.0.0.1:5004
              - prefix: "09"
                when: {caller-regex: '\\+49(30|40)\\d+'}
                mode: proxy
                target: sip:127.0.0.1:5005
            """;

    @ParameterizedTest(name = "{0} from {1} at {2} -> {3}")
    @CsvSource(delimiter = '|', value = {
            // dialled | caller      | source        | time (UTC)           | where it goes
            "08001    |             | 10.1.2.3       | 2026-11-30T03:00:00Z | 5001",   // LAN first, whatever the time
            "08001    |             | 2001:db8::7    | 2026-11-30T03:00:00Z | 5001",   // IPv6 LAN too
            "08001    |             | 192.0.2.1      | 2026-11-30T09:00:00Z | 5002",   // Monday 10:00 Berlin
            "08001    |             | 192.0.2.1      | 2026-11-30T16:59:59Z | 5002",   // Monday 17:59:59 Berlin
            "08001    |             | 192.0.2.1      | 2026-11-30T17:00:00Z | 5004",   // 18:00 Berlin: office closed, 08 fallback
            "08001    |             | 192.0.2.1      | 2026-11-28T10:00:00Z | 5004",   // Saturday
            "08001    |             | 192.0.2.1      | 2026-11-28T22:30:00Z | 5003",   // Saturday 23:30 Berlin: night
            "08001    |             | 192.0.2.1      | 2026-11-29T04:00:00Z | 5003",   // Sunday 05:00 Berlin: same night
            "08001    |             | 192.0.2.1      | 2026-12-25T12:00:00Z | 480",    // a holiday Friday: listed before office hours
            "08001    |             | 192.0.2.1      | 2026-12-28T09:00:00Z | 5002",   // the Monday after
            "08001    |             |                | 2026-11-28T10:00:00Z | 5004",   // unknown source never matches a network
            "0912     | +493012345  | 192.0.2.1      | 2026-11-28T10:00:00Z | 5005",
            "0912     | +4989123    | 192.0.2.1      | 2026-11-28T10:00:00Z | 404",    // regex fails, no shorter prefix
    })
    void firstRuleWhoseConditionsHoldWinsThenShorterPrefixes(String dialled, String caller, String source, String time,
                                                            String expected) throws Exception {
        DialPlan plan = new YamlDialPlanReader().read("c.yaml", PLAN);
        Call call = new Call(dialled, caller, source == null ? null : InetAddress.getByName(source), Instant.parse(time));
        Decision decision = plan.route(call, new Random(1));
        String got = decision.action() instanceof Action.Reject r ? String.valueOf(r.status())
                : String.valueOf(decision.hops().get(0).target().port());
        assertEquals(expected, got, decision.toString());
    }
}
