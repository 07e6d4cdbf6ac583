package dialroute.it;

import static dialroute.it.DialrouteDeployment.DIALROUTE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dialroute.it.ua.ReceivedResponse;
import dialroute.it.ua.TestPhone;
import java.time.Duration;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** One source floods and is refused; another source keeps being served. */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class FloodProtectionIT {
    private static final Duration WAIT = Duration.ofSeconds(5);

    static {
        // Read when this class's deployment starts; cleared before the next class deploys.
        System.setProperty("dialroute.flood.max-cps-per-source", "10");
        System.setProperty("dialroute.flood.ban-seconds", "30");
    }

    @Deployment(testable = false)
    static WebArchive archive() {
        return DialrouteDeployment.sar();
    }

    @AfterAll
    static void forgetSettings() {
        System.clearProperty("dialroute.flood.max-cps-per-source");
        System.clearProperty("dialroute.flood.ban-seconds");
    }

    @Test
    void floodingSourceGets503WhileAnotherSourceIsServed() {
        try (TestPhone flooder = TestPhone.start("flooder", "127.0.0.2", 5176);
             TestPhone neighbour = TestPhone.start("neighbour", "127.0.0.1", 5177)) {
            int served = 0;
            int refused = 0;
            ReceivedResponse lastRefusal = null;
            for (int i = 0; i < 40; i++) {
                ReceivedResponse r = flooder.call("2123", DIALROUTE, "udp").awaitFinal(WAIT);
                if (r.status() == 404) {
                    assertEquals(0, refused, "once refused, the source stays banned: call " + i + " was served");
                    served++;
                } else {
                    assertEquals(503, r.status(), r.raw());
                    refused++;
                    lastRefusal = r;
                }
            }
            // The burst of 10, plus what the bucket refilled (10/s) while those calls went on.
            assertTrue(served >= 10 && served <= 25, "served " + served + " before the ban");
            assertEquals(40 - served, refused);
            int retryAfter = Integer.parseInt(lastRefusal.header("Retry-After").trim());
            assertTrue(retryAfter >= 28 && retryAfter <= 30, "Retry-After " + retryAfter);

            for (int i = 0; i < 5; i++) {
                assertEquals(404, neighbour.call("2123", DIALROUTE, "udp").awaitFinal(WAIT).status(), "the neighbour is served");
            }
            assertEquals(503, flooder.call("2123", DIALROUTE, "udp").awaitFinal(WAIT).status(), "the flooder is still banned");
        }
    }
}
