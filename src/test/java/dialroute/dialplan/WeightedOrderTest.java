package dialroute.dialplan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class WeightedOrderTest {
    static final Destination A = new Destination("a", Target.parse("sip:127.0.0.1:5090"), NumberRewrite.NONE);
    static final Destination B = new Destination("b", Target.parse("sip:127.0.0.1:5093"), NumberRewrite.NONE);

    @Test
    void seventyThirtySpreadsFirstAttemptsByWeightAndKeepsTheOtherAsFailover() {
        List<Weighted<Destination>> weights = List.of(new Weighted<>(A, 70), new Weighted<>(B, 30));
        Random random = new Random(2026);
        int aFirst = 0;
        int calls = 10_000;
        for (int i = 0; i < calls; i++) {
            List<Destination> order = DialPlan.weightedOrder(weights, random);
            assertEquals(2, order.size(), "every call keeps both targets");
            assertTrue(order.contains(A) && order.contains(B));
            if (order.get(0) == A) {
                aFirst++;
            }
        }
        assertEquals(70.0, aFirst * 100.0 / calls, 2.0);
    }

    @Test
    void zeroWeightIsTriedOnlyAfterTheOthers() {
        List<Weighted<Destination>> weights = List.of(new Weighted<>(A, 0), new Weighted<>(B, 1));
        Random random = new Random(1);
        for (int i = 0; i < 100; i++) {
            assertEquals(List.of(B, A), DialPlan.weightedOrder(weights, random));
        }
    }

    @Test
    void aDestinationReachedTwiceThroughGroupsIsTriedOnce() {
        DestinationGroup carrier = new DestinationGroup("carrier", Strategy.SEQUENTIAL, List.of(new Weighted<>(A, 1), new Weighted<>(B, 1)));
        Action.ProxyTo proxy = new Action.ProxyTo(List.of(new Weighted<>(B, 1), new Weighted<>(carrier, 1)), Strategy.SEQUENTIAL,
                Failover.DEFAULT, true);
        DialPlan plan = DialPlan.of("t", "v", List.of(new Rule("1", NumberRewrite.NONE, proxy, 1)));
        assertEquals(List.of(B, A), plan.lookup("123").hops().stream().map(Hop::destination).toList());
    }

    @Test
    void destinationRewritesTheNumberItsOwnWay() {
        Destination carrier = new Destination("carrier", Target.parse("sip:127.0.0.1:5094"),
                new NumberRewrite(0, "", NumberRewrite.Translation.of("\\+(\\d+)", "00$1")));
        Action.ProxyTo proxy = new Action.ProxyTo(List.of(new Weighted<>(carrier, 1), new Weighted<>(A, 1)), Strategy.SEQUENTIAL,
                Failover.DEFAULT, true);
        DialPlan plan = DialPlan.of("t", "v", List.of(new Rule("9", new NumberRewrite(1, "+"), proxy, 1)));
        List<Hop> hops = plan.lookup("94930123").hops();
        assertEquals("004930123", hops.get(0).number());
        assertEquals("+4930123", hops.get(1).number());
    }
}
