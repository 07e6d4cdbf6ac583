package dialroute.it;

import static dialroute.it.DialrouteDeployment.DIALROUTE_PORT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

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

    /**
     * A request no application took used to be relayed by the container to the host of its
     * Request-URI (an open relay; with a name there, a DNS lookup). Now dialroute answers every
     * method itself and nothing reaches the host named.
     */
    @ParameterizedTest(name = "{0}")
    @CsvSource({"OPTIONS, 200", "REGISTER, 405", "MESSAGE, 405", "SUBSCRIBE, 405", "FROBNICATE, 501"})
    void requestsOtherThanInviteAreAnsweredAndNeverRelayed(String method, int status) throws Exception {
        try (DatagramSocket elsewhere = new DatagramSocket(5193, InetAddress.getLoopbackAddress());
                RawSip.Udp udp = RawSip.Udp.open(DIALROUTE_PORT)) {
            String request = RawSip.invite("sip:9123@127.0.0.1:5193", udp.localPort(), "UDP")
                    .replace("INVITE sip:", method + " sip:").replace(" INVITE\r\n", " " + method + "\r\n");
            udp.send(request.getBytes(StandardCharsets.US_ASCII));
            RawSip.Exchange exchange = udp.awaitFinal(Duration.ofSeconds(5));
            assertEquals(status, exchange.finalStatus(), exchange.toString());
            String answer = exchange.responses().get(exchange.responses().size() - 1);
            // The container writes the list without spaces.
            assertTrue(answer.replace(" ", "").contains("\r\nAllow:INVITE,ACK,CANCEL,BYE,OPTIONS\r\n"), answer);

            elsewhere.setSoTimeout(500);
            DatagramPacket relayed = new DatagramPacket(new byte[65535], 65535);
            assertThrows(SocketTimeoutException.class, () -> elsewhere.receive(relayed), "relayed to 127.0.0.1:5193");
        }
    }

    @Test
    void requestUriWithAnUnknownSchemeGets416() throws Exception {
        assertTrue(RawSip.invite("urn:service:sos", DIALROUTE_PORT).startsWith("SIP/2.0 416 "));
    }

    @Test
    void unsupportedProxyRequireGets420NamingTheExtension() throws Exception {
        try (RawSip.Udp udp = RawSip.Udp.open(DIALROUTE_PORT)) {
            String request = RawSip.invite("sip:8123@127.0.0.1:5180", udp.localPort(), "UDP")
                    .replace("Max-Forwards: 70\r\n", "Max-Forwards: 70\r\nProxy-Require: teleportation\r\n");
            udp.send(request.getBytes(StandardCharsets.US_ASCII));
            RawSip.Exchange exchange = udp.awaitFinal(Duration.ofSeconds(5));
            assertEquals(420, exchange.finalStatus(), exchange.toString());
            assertTrue(exchange.toString().contains("\r\nUnsupported: teleportation\r\n"), exchange.toString());
        }
    }
}
