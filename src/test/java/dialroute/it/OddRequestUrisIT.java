package dialroute.it;

import static dialroute.it.DialrouteDeployment.DIALROUTE_PORT;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Request-URIs a phone seldom sends: each still gets a precise final answer, never a 500. */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class OddRequestUrisIT {

    @Deployment(testable = false)
    static WebArchive archive() {
        return DialrouteDeployment.sar();
    }

    @Test
    void requestUriWithoutUserPartGets484AddressIncomplete() throws Exception {
        String response = RawSip.invite("sip:127.0.0.1:" + DIALROUTE_PORT, DIALROUTE_PORT);
        assertTrue(response.startsWith("SIP/2.0 484 Address Incomplete\r\n"), response);
    }

    @Test
    void userPartThatIsNoNumberGets404() throws Exception {
        String response = RawSip.invite("sip:alice@127.0.0.1:" + DIALROUTE_PORT, DIALROUTE_PORT);
        assertTrue(response.startsWith("SIP/2.0 404 Not Found\r\n"), response);
    }

    @Test
    void telUriIsRoutedByItsNumber() throws Exception {
        String response = RawSip.invite("tel:0044-20-1234", DIALROUTE_PORT);
        assertTrue(response.startsWith("SIP/2.0 403 International Calls Barred\r\n"), response);
    }

    @Test
    void telUriWithVisualSeparatorsIsRedirectedWithThemRemoved() throws Exception {
        String response = RawSip.invite("tel:8-123", DIALROUTE_PORT);
        assertTrue(response.startsWith("SIP/2.0 302 Moved Temporarily\r\n"), response);
        assertTrue(response.contains("\r\nContact: <sip:8123@127.0.0.1:5191>\r\n"), response);
    }
}
