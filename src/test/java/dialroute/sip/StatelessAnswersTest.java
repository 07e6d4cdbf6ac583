package dialroute.sip;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dialroute.calllog.JsonCallLog;
import dialroute.dialplan.ActiveDialPlan;
import dialroute.dialplan.Decision;
import dialroute.dialplan.RoutingEvents;
import dialroute.dialplan.yaml.YamlDialPlanReader;
import dialroute.health.DestinationHealth;
import dialroute.overload.Admission;
import dialroute.overload.SourceLimiter;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What the SIP stack is told to answer, per kind of rule, and what is counted on the way. */
class StatelessAnswersTest {
    private static final String PLAN = """
            rules:
              - prefix: "9"
                mode: proxy
                target: sip:127.0.0.1:5090
                strip: 1
              - prefix: "7"
                mode: proxy
                target: sip:127.0.0.1:5093;transport=tcp
              - prefix: "6"
                mode: proxy
                target: sip:127.0.0.1:5094
                record-route: false
              - prefix: "4"
                mode: proxy
                target: sip:[::1]:5095
              - prefix: "8"
                mode: redirect
                targets:
                  - to: sip:127.0.0.1:5091
                    q: 0.5
                    expires: 60
                  - to: sip:127.0.0.1:5092
              - prefix: "00"
                mode: reject
                status: 403
                reason: International Calls Barred
            """;

    private final List<String> counted = new ArrayList<>();
    private final RoutingEvents events = new RoutingEvents() {
        @Override
        public void decided(Decision decision) {
            counted.add("decided");
        }

        @Override
        public void shed(Decision decision) {
            counted.add("shed");
        }

        @Override
        public void floodRefused() {
            counted.add("flood");
        }

        @Override
        public void completed(Decision decision, int status, Duration setup) {
            counted.add("completed " + status);
        }
    };

    private StatelessAnswers answers(SourceLimiter flood) throws Exception {
        return answers(flood, new Admission(0, 200, 5, System::nanoTime));
    }

    private StatelessAnswers answers(SourceLimiter flood, Admission admission) throws Exception {
        ActiveDialPlan plans = new ActiveDialPlan(new YamlDialPlanReader().read("t.yaml", PLAN));
        return new StatelessAnswers(new NewCalls(plans, flood, admission, events, JsonCallLog.disabled(), new DestinationHealth(),
                Clock.fixed(Instant.parse("2026-11-29T12:00:00Z"), ZoneOffset.UTC)), events);
    }

    private static SourceLimiter noFloodLimit() {
        return new SourceLimiter(0, 1, 30, System::nanoTime);
    }

    /** What the stack handed the servlet for this Call-ID: "none", "admitted" or "record-routed". */
    private static String handOff(StatelessAnswers answers, String callId) {
        return answers.handedOff(callId).map(h -> h.recordRouted() ? "record-routed" : "admitted").orElse("none");
    }

    private static String[] call(String dialled) {
        return call(dialled, "udp");
    }

    private static String[] call(String dialled, String transport) {
        return new String[] {dialled, "caller", "127.0.0.1", "call-1@test", transport};
    }

    @Test
    void aProxiedCallIsLeftToTheContainerUncountedAndMarkedRecordRoutedInTheStackOnce() throws Exception {
        StatelessAnswers answers = answers(noFloodLimit());

        assertArrayEquals(new String[] {"record-route", "udp"}, answers.apply(call("9123")), "UDP in, UDP out: the stack record-routes");

        assertEquals(List.of(), counted, "the servlet counts it when it routes it");
        assertEquals("record-routed", handOff(answers, "call-1@test"), "the servlet skips the checks the stack made");
        assertEquals("none", handOff(answers, "call-1@test"));
        assertEquals("none", handOff(answers, "another-call@test"));
    }

    @Test
    void theStackRecordRoutesBothSidesWhenTheTransportChangesAndTheContainerTlsAndIpv6() throws Exception {
        StatelessAnswers answers = answers(noFloodLimit());

        assertArrayEquals(new String[] {"record-route", "udp"}, answers.apply(call("9123", "tcp")), "TCP in, UDP out: two Record-Routes");
        assertEquals("record-routed", handOff(answers, "call-1@test"));
        assertArrayEquals(new String[] {"record-route", "tcp"}, answers.apply(call("7123", "udp")), "UDP in, TCP out");
        assertEquals("record-routed", handOff(answers, "call-1@test"));
        assertArrayEquals(new String[] {"record-route", "tcp"}, answers.apply(call("7123", "tcp")), "TCP in, TCP out");
        assertEquals("record-routed", handOff(answers, "call-1@test"));
        assertNull(answers.apply(call("9123", "tls")), "TLS stays with the container");
        assertEquals("admitted", handOff(answers, "call-1@test"));
        assertNull(answers.apply(call("9123", "")), "the stack cannot record-route (no in-call forwarding valve, or IPv6)");
        assertEquals("admitted", handOff(answers, "call-1@test"));
        assertNull(answers.apply(call("4123", "udp")), "to IPv6 from IPv4");
        assertEquals("admitted", handOff(answers, "call-1@test"));
    }

    @Test
    void theServletGetsTheDecisionTheStackMadeAndTheCallIsLookedUpOnce() throws Exception {
        StatelessAnswers answers = answers(noFloodLimit());
        answers.apply(call("9123"));

        NewCalls.Routed handed = answers.handedOff("call-1@test").orElseThrow().call();

        assertEquals("sip:123@127.0.0.1:5090;transport=udp", handed.decision().hops().get(0).proxyUri());
        assertEquals("call-1@test", handed.record().callId());
    }

    @Test
    void aRuleWithoutRecordRouteIsNotRecordRoutedInTheStack() throws Exception {
        StatelessAnswers answers = answers(noFloodLimit());

        assertNull(answers.apply(call("6123")));
        assertEquals("admitted", handOff(answers, "call-1@test"));
    }

    @Test
    void aProxiedCallOverTheProxiedCallLimitGets503WithRetryAfterInTheStack() throws Exception {
        // One proxied call per second, a burst of one: the second call at once is over the limit.
        StatelessAnswers answers = answers(noFloodLimit(), new Admission(1, 1, 7, () -> 0L));
        assertArrayEquals(new String[] {"record-route", "udp"}, answers.apply(call("9123")));

        String[] refused = answers.apply(new String[] {"9124", "caller", "127.0.0.1", "call-2@test", "udp"});

        assertArrayEquals(new String[] {"503", "Service Unavailable", "7"}, refused);
        assertEquals(List.of("shed"), counted);
        assertEquals("none", handOff(answers, "call-2@test"));
    }

    @Test
    void aRedirectGivesItsStatusAndOneContactPerTargetWithQAndExpires() throws Exception {
        String[] answer = answers(noFloodLimit()).apply(call("8123"));

        assertArrayEquals(new String[] {"302", "Moved Temporarily", "",
                "sip:8123@127.0.0.1:5091", "0.5", "60",
                "sip:8123@127.0.0.1:5092", answer[7], ""}, answer);
        assertEquals(List.of("decided", "completed 302"), counted);
    }

    @Test
    void aRejectionGivesThePlansStatusAndReason() throws Exception {
        String[] answer = answers(noFloodLimit()).apply(call("00441234"));

        assertArrayEquals(new String[] {"403", "International Calls Barred", ""}, answer);
        assertEquals(List.of("decided", "completed 403"), counted);
    }

    @Test
    void noMatchingPrefixIs404() throws Exception {
        assertArrayEquals(new String[] {"404", "Not Found", ""}, answers(noFloodLimit()).apply(call("5551234")));
    }

    @Test
    void aFloodingSourceGets503WithRetryAfterAndNoLookupCounted() throws Exception {
        StatelessAnswers answers = answers(new SourceLimiter(1, 1, 30, System::nanoTime));
        answers.apply(call("8123"));
        counted.clear();

        String[] refused = answers.apply(call("8124"));

        assertArrayEquals(new String[] {"503", "Service Unavailable", "30"}, refused);
        assertEquals(List.of("flood"), counted);
    }
}
