package dialroute.it;

import static dialroute.it.DialrouteDeployment.DIALROUTE_PORT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dialroute.it.RawSip.Exchange;
import dialroute.it.RawSip.Udp;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Redirects and rejections answered in the SIP stack without a transaction (RFC 3261 section
 * 8.2.7), as a caller sees them on the wire: the same answer to every copy of an INVITE, no
 * retransmissions of the answer, the caller's ACK absorbed, the answer at the port the Via asks
 * for, and what needs the container (an extension a proxy must support, a preloaded route) still
 * handled by it. The plan is src/test/resources/it-plan.yaml: 8 redirects to 5191, 00 is barred.
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class StatelessAnswersIT {
    private static final Duration WAIT = Duration.ofSeconds(5);
    private static final URI METRICS = URI.create("http://127.0.0.1:8888/dialroute/metrics");
    private static final Pattern TO = Pattern.compile("(?m)^To: ([^\r\n]*)");
    private static final Pattern CONTACT = Pattern.compile("(?m)^Contact: ([^\r\n]*)");

    @Deployment(testable = false)
    static WebArchive archive() {
        return DialrouteDeployment.sar();
    }

    @Test
    void retransmittedInviteGetsTheSame302IsCountedOnceAndTheAnswerIsNotRetransmitted() throws Exception {
        double redirectsBefore = redirectsCounted();
        try (Udp udp = Udp.open(DIALROUTE_PORT)) {
            String invite = RawSip.invite("sip:8123@127.0.0.1:" + DIALROUTE_PORT, udp.localPort(), "UDP");
            udp.send(bytes(invite));
            String first = udp.awaitFinal(WAIT).responses().get(0);
            assertEquals(302, RawSip.status(first), first);

            // The caller's retransmission, as if the 302 had been lost: the same answer, same To tag.
            udp.send(bytes(invite));
            String second = udp.awaitFinal(WAIT).responses().get(0);
            assertEquals(302, RawSip.status(second), second);
            assertEquals(header(TO, first), header(TO, second));
            assertTrue(header(TO, first).contains(";tag="), first);
            assertEquals("<sip:8123@127.0.0.1:5191>", header(CONTACT, second), second);
            assertTrue(first.contains("\r\nServer: dialroute\r\n"), "the container's Server header:\n" + first);
            assertTrue(header(TO, first).contains(";tag=answered-"), "answered in the SIP stack:\n" + first);

            // No ACK yet: a stateful server would retransmit its 302 after 500 ms, 1 s, 2 s (Timer G).
            Exchange quiet = udp.awaitFinal(Duration.ofMillis(1800));
            assertEquals("-", quiet.statuses(), "nothing more should come:\n" + quiet);

            udp.send(bytes(RawSip.ackFor(invite, first)));
            Exchange afterAck = udp.awaitFinal(Duration.ofMillis(700));
            assertEquals("-", afterAck.statuses(), "an ACK is never answered:\n" + afterAck);
        }
        // One call, however many copies of its INVITE came.
        assertEquals(redirectsBefore + 1, redirectsCounted());
    }

    @Test
    void inviteToATelUriIsRoutedByItsNumber() throws Exception {
        try (Udp udp = Udp.open(DIALROUTE_PORT)) {
            String invite = RawSip.invite("tel:8123", udp.localPort(), "UDP");
            udp.send(bytes(invite));
            String answer = udp.awaitFinal(WAIT).responses().get(0);
            assertEquals(302, RawSip.status(answer), answer);
            assertEquals("<sip:8123@127.0.0.1:5191>", header(CONTACT, answer), answer);
            udp.send(bytes(RawSip.ackFor(invite, answer)));
        }
    }

    private static double redirectsCounted() throws Exception {
        String body = HttpClient.newHttpClient().send(HttpRequest.newBuilder(METRICS).timeout(WAIT).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        Matcher m = Pattern.compile("(?m)^dialroute_redirects_total\\{status=\"302\"\\} (\\S+)$").matcher(body);
        return m.find() ? Double.parseDouble(m.group(1)) : 0;
    }

    @Test
    void answerGoesToTheViaPortWhenTheCallerDoesNotAskForRport() throws Exception {
        try (Udp sender = Udp.open(DIALROUTE_PORT); Udp listener = Udp.open(DIALROUTE_PORT)) {
            String invite = RawSip.invite("sip:00441234@127.0.0.1:" + DIALROUTE_PORT, listener.localPort(), "UDP")
                    .replace(";rport\r\n", "\r\n");
            sender.send(bytes(invite));

            Exchange atVia = listener.awaitFinal(WAIT);
            assertEquals("403", atVia.statuses(), "RFC 3261 18.2.2: the Via's sent-by port:\n" + atVia);
            assertEquals("-", sender.awaitFinal(Duration.ofMillis(300)).statuses());
            sender.send(bytes(RawSip.ackFor(invite, atVia.responses().get(0))));
        }
    }

    @Test
    void inviteRequiringAnUnknownProxyExtensionGets420NotARedirect() throws Exception {
        try (Udp udp = Udp.open(DIALROUTE_PORT)) {
            String invite = RawSip.invite("sip:8123@127.0.0.1:" + DIALROUTE_PORT, udp.localPort(), "UDP")
                    .replace("Max-Forwards: 70\r\n", "Max-Forwards: 70\r\nProxy-Require: dialroute-no-such-extension\r\n");
            udp.send(bytes(invite));
            String answer = udp.awaitFinal(WAIT).responses().get(0);
            assertEquals(420, RawSip.status(answer), answer);
            assertTrue(answer.contains("Unsupported: dialroute-no-such-extension"), answer);
            udp.send(bytes(RawSip.ackFor(invite, answer)));
        }
    }

    @Test
    void inviteWithARouteToDialrouteIsStillRedirected() throws Exception {
        try (Udp udp = Udp.open(DIALROUTE_PORT)) {
            String invite = RawSip.invite("sip:8123@127.0.0.1:" + DIALROUTE_PORT, udp.localPort(), "UDP")
                    .replace("Max-Forwards: 70\r\n", "Max-Forwards: 70\r\nRoute: <sip:127.0.0.1:" + DIALROUTE_PORT + ";lr>\r\n");
            udp.send(bytes(invite));
            String answer = udp.awaitFinal(WAIT).responses().get(0);
            assertEquals(302, RawSip.status(answer), answer);
            assertEquals("<sip:8123@127.0.0.1:5191>", header(CONTACT, answer), answer);
            // An outbound proxy's preloaded route to dialroute: answered in the stack all the same.
            assertTrue(header(TO, answer).contains(";tag=answered-"), answer);
            udp.send(bytes(RawSip.ackFor(invite, answer)));
        }
    }

    private static byte[] bytes(String message) {
        return message.getBytes(StandardCharsets.US_ASCII);
    }

    private static String header(Pattern header, String message) {
        Matcher m = header.matcher(message);
        if (!m.find()) {
            throw new AssertionError("no " + header + " in\n" + message);
        }
        return m.group(1);
    }
}
