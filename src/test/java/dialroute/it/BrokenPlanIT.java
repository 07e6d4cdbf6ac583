package dialroute.it;

import static dialroute.it.DialrouteDeployment.DIALROUTE_PORT;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dialroute.testing.LogCapture;
import java.nio.file.Path;
import org.jboss.arquillian.container.test.api.Deployer;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** A plan with mistakes must stop the deployment and say what is wrong, where. */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class BrokenPlanIT {
    private static final String BROKEN = "broken";

    @ArquillianResource
    private Deployer deployer;

    @Deployment(name = BROKEN, managed = false, testable = false)
    static WebArchive archive() {
        return DialrouteDeployment.sar();
    }

    @Test
    void brokenPlanFailsTheDeploymentNamingEveryProblem() throws Exception {
        String plan = Path.of("src/test/resources/broken-plan.yaml").toAbsolutePath().toString();
        String configured = System.getProperty("dialroute.plan");
        System.setProperty("dialroute.plan", plan);
        try (LogCapture log = LogCapture.start()) {
            try {
                deployer.deploy(BROKEN);
            } catch (RuntimeException refused) {
                // The adapter may or may not report the failed context start; the wire and the log tell.
            }
            String response = RawSip.invite("sip:8123@127.0.0.1:" + DIALROUTE_PORT, DIALROUTE_PORT);
            // The application is not deployed, so the container itself answers: no route here.
            assertTrue(response.startsWith("SIP/2.0 404 "), "a refused plan must not route calls:\n" + response);
            String expected = "dial plan refused, 2 problems:\n"
                    + "  " + plan + ":5:13: target '127.0.0.1:5190' is not a SIP URI (expected e.g. sip:192.0.2.10:5060)\n"
                    + "  " + plan + ":7:11: unknown mode 'forward'; use proxy, redirect or reject";
            assertTrue(log.any(m -> m.contains(expected)), "log lacks the problem list; it has " + log.lines());
        } finally {
            System.setProperty("dialroute.plan", configured);
            try {
                deployer.undeploy(BROKEN);
            } catch (RuntimeException notDeployed) {
                // nothing was deployed
            }
        }
    }
}
