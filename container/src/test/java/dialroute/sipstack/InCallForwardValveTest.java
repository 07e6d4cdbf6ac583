package dialroute.sipstack;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The valve in a real JAIN-SIP stack (LoopbackSipStack) on a loopback port, between a caller and a
 * callee that are plain UDP sockets: what each of them receives is what a phone would.
 */
class InCallForwardValveTest {
    private static int stacks;

    private LoopbackSipStack stack;
    private DatagramSocket caller;
    private DatagramSocket callee;

    @BeforeEach
    void start() throws Exception {
        Properties settings = new Properties();
        settings.setProperty("gov.nist.javax.sip.SIP_MESSAGE_VALVE", InCallForwardValve.class.getName());
        stack = LoopbackSipStack.start("in-call-forward-test-" + ++stacks, settings);
        caller = socket();
        callee = socket();
    }

    @AfterEach
    void stop() {
        caller.close();
        callee.close();
        stack.close();
    }

    @Test
    void aByeGoesToTheCalleeWithoutDialroutesRouteAndItsAnswerComesBackWithoutDialroutesVia() throws Exception {
        send(caller, bye("call-1", route("call-1"), 70));

        String forwarded = receive(callee);
        assertEquals("BYE sip:callee@127.0.0.1:" + callee.getLocalPort() + " SIP/2.0", firstLine(forwarded));
        assertFalse(forwarded.contains("Route:"), "dialroute's route is used up:\n" + forwarded);
        assertEquals("69", header(forwarded, "Max-Forwards"));
        List<String> vias = headers(forwarded, "Via");
        assertEquals(2, vias.size(), forwarded);
        assertTrue(vias.get(0).startsWith("SIP/2.0/UDP 127.0.0.1:" + stack.port() + ";branch=" + InCallForwardValve.BRANCH_PREFIX), vias.get(0));
        assertTrue(vias.get(1).startsWith("SIP/2.0/UDP 127.0.0.1:" + caller.getLocalPort()), vias.get(1));

        send(callee, answer(forwarded, "200 OK"));

        String answer = receive(caller);
        assertEquals("SIP/2.0 200 OK", firstLine(answer));
        assertEquals(List.of(vias.get(1)), headers(answer, "Via"), "only the caller's own Via is left");
        assertFalse(stack.reached("call-1"), "nothing reached the container");
    }

    @Test
    void aCopyOfARequestGetsTheSameBranchAndADifferentRequestAnotherOne() throws Exception {
        send(caller, bye("call-2", route("call-2"), 70));
        String first = receive(callee);
        send(caller, bye("call-2", route("call-2"), 70));
        String copy = receive(callee);
        send(caller, bye("call-2", route("call-2"), 70).replace("z9hG4bK-caller-1", "z9hG4bK-caller-2"));
        String other = receive(callee);

        assertEquals(headers(first, "Via").get(0), headers(copy, "Via").get(0));
        assertFalse(headers(first, "Via").get(0).equals(headers(other, "Via").get(0)));
    }

    @Test
    void aRouteThatDialrouteDidNotSignForThisCallIsRefused403() throws Exception {
        // Another call's signature: routes cannot be lifted from one call and used for another.
        send(caller, bye("call-3", route("some-other-call"), 70));

        assertEquals("SIP/2.0 403 Forbidden", firstLine(receive(caller)));
        assertEquals("", receiveOrNothing(callee));
        assertFalse(stack.reached("call-3"));
    }

    @Test
    void bothOfDialroutesRoutesAreUsedUpWhenTheCallChangedTransport() throws Exception {
        // RFC 5658: the caller's side over UDP, the callee's over TCP; the caller's BYE carries both.
        String tcpSide = route("call-12").replace("transport=udp", "transport=tcp");
        send(caller, bye("call-12", route("call-12") + "\r\nRoute: " + tcpSide, 70));

        String forwarded = receive(callee);
        assertEquals("BYE sip:callee@127.0.0.1:" + callee.getLocalPort() + " SIP/2.0", firstLine(forwarded));
        assertFalse(forwarded.contains("Route:"), "both of dialroute's routes are used up:\n" + forwarded);
    }

    @Test
    void theCalleesByeIsForwardedToo() throws Exception {
        // The callee hangs up: its From tag is its own, the caller's tag is in To.
        String bye = bye("call-10", route("call-10"), 70).replace(";tag=caller", ";tag=CALLEE").replace(";tag=callee", ";tag=caller");
        send(caller, bye);

        assertEquals("BYE sip:callee@127.0.0.1:" + callee.getLocalPort() + " SIP/2.0", firstLine(receive(callee)));
    }

    @Test
    void aResponseWithADialrouteBranchDialrouteDidNotMakeIsDropped() throws Exception {
        String forged = "SIP/2.0 200 OK\r\n"
                + "Via: SIP/2.0/UDP 127.0.0.1:" + stack.port() + ";branch=" + InCallForwardValve.BRANCH_PREFIX + "000000000000000000000000\r\n"
                + "Via: SIP/2.0/UDP 127.0.0.1:" + caller.getLocalPort() + ";branch=z9hG4bK-caller-1;rport=" + caller.getLocalPort()
                + ";received=127.0.0.1\r\n"
                + "From: <sip:caller@127.0.0.1>;tag=caller\r\nTo: <sip:9123@127.0.0.1>;tag=callee\r\n"
                + "Call-ID: call-11\r\nCSeq: 2 BYE\r\nContent-Length: 0\r\n\r\n";

        send(callee, forged);

        assertEquals("", receiveOrNothing(caller), "a forged response was bounced to the address in its Via");
    }

    @Test
    void maxForwardsZeroIsAnswered483AndNotForwarded() throws Exception {
        send(caller, bye("call-4", route("call-4"), 0));

        assertEquals("SIP/2.0 483 Too Many Hops", firstLine(receive(caller)));
        assertEquals("", receiveOrNothing(callee));
    }

    @Test
    void aLooseRouterAfterDialrouteGetsTheRequestWithTheRestOfTheRoute() throws Exception {
        DatagramSocket nextProxy = socket();
        try {
            String next = "<sip:127.0.0.1:" + nextProxy.getLocalPort() + ";lr>";
            send(caller, bye("call-5", route("call-5") + "\r\nRoute: " + next, 70));

            String forwarded = receive(nextProxy);
            assertEquals("BYE sip:callee@127.0.0.1:" + callee.getLocalPort() + " SIP/2.0", firstLine(forwarded));
            assertEquals(List.of(next), headers(forwarded, "Route"));
        } finally {
            nextProxy.close();
        }
    }

    @Test
    void aStrictRouterAfterDialrouteGetsTheRequestAsItsRequestUri() throws Exception {
        DatagramSocket strictRouter = socket();
        try {
            String next = "sip:127.0.0.1:" + strictRouter.getLocalPort();
            send(caller, bye("call-6", route("call-6") + "\r\nRoute: <" + next + ">", 70));

            String forwarded = receive(strictRouter);
            assertEquals("BYE " + next + " SIP/2.0", firstLine(forwarded));
            assertEquals(List.of("<sip:callee@127.0.0.1:" + callee.getLocalPort() + ">"), headers(forwarded, "Route"),
                    "RFC 3261 section 16.6 step 6: the Request-URI becomes the last Route");
        } finally {
            strictRouter.close();
        }
    }

    @Test
    void aRequestOutsideACallGoesToTheContainer() throws Exception {
        send(caller, bye("call-7", route("call-7"), 70).replace(";tag=callee", ""));

        stack.awaitReached("BYE", "call-7");
        assertEquals("", receiveOrNothing(callee));
    }

    @Test
    void aCalleesCopyOfIts200ToAProxiedInviteGoesOnToTheCaller() throws Exception {
        // The proxy's client transaction ended with the first 200: the copy matches nothing.
        String ok = "SIP/2.0 200 OK\r\n"
                + "Via: SIP/2.0/UDP 127.0.0.1:" + stack.port() + ";branch=z9hG4bK-proxy-ended\r\n"
                + "Via: SIP/2.0/UDP 127.0.0.1:" + caller.getLocalPort() + ";branch=z9hG4bK-caller-invite;rport=" + caller.getLocalPort()
                + ";received=127.0.0.1\r\n"
                + "From: <sip:caller@127.0.0.1>;tag=caller\r\nTo: <sip:9123@127.0.0.1>;tag=callee\r\n"
                + "Call-ID: call-8\r\nCSeq: 1 INVITE\r\nContact: <sip:callee@127.0.0.1:" + callee.getLocalPort() + ">\r\n"
                + "Content-Length: 0\r\n\r\n";

        send(callee, ok);

        String answer = receive(caller);
        assertEquals("SIP/2.0 200 OK", firstLine(answer));
        assertEquals(1, headers(answer, "Via").size());
    }

    @Test
    void theRecordRouteDialroutePutsOnAnInviteIsTheRouteItAccepts() throws Exception {
        gov.nist.javax.sip.message.SIPRequest invite = (gov.nist.javax.sip.message.SIPRequest) new gov.nist.javax.sip.parser.StringMsgParser()
                .parseSIPMessage(("INVITE sip:9123@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bK-1\r\n"
                        + "From: <sip:caller@127.0.0.1>;tag=caller\r\nTo: <sip:9123@127.0.0.1>\r\nCall-ID: call-9\r\nCSeq: 1 INVITE\r\n"
                        + "Max-Forwards: 70\r\nRecord-Route: <sip:upstream.example;lr>\r\nContent-Length: 0\r\n\r\n")
                        .getBytes(StandardCharsets.UTF_8), true, false, null);
        InCallForwardValve.recordRoute(invite, "127.0.0.1", stack.port(), "UDP");

        String recordRoute = invite.getHeader("Record-Route").toString().trim();
        assertEquals("Record-Route: <sip:127.0.0.1:" + stack.port() + ";transport=udp;lr;" + InCallForwardValve.MARK + "="
                + InCallForwardValve.signature("call-9", "caller") + ">", recordRoute);
        assertEquals("<sip:upstream.example;lr>", headers(invite.encode(), "Record-Route").get(1), "dialroute's goes first");
        send(caller, bye("call-9", recordRoute.substring("Record-Route: ".length()), 70));
        assertEquals("BYE", firstLine(receive(callee)).split(" ")[0]);
    }

    private String route(String callId) {
        return "<sip:127.0.0.1:" + stack.port() + ";transport=udp;lr;" + InCallForwardValve.MARK + "="
                + InCallForwardValve.signature(callId, "caller") + ">";
    }

    private String bye(String callId, String routes, int maxForwards) {
        return "BYE sip:callee@127.0.0.1:" + callee.getLocalPort() + " SIP/2.0\r\n"
                + "Via: SIP/2.0/UDP 127.0.0.1:" + caller.getLocalPort() + ";branch=z9hG4bK-caller-1;rport\r\n"
                + "Route: " + routes + "\r\n"
                + "From: <sip:caller@127.0.0.1>;tag=caller\r\nTo: <sip:9123@127.0.0.1>;tag=callee\r\n"
                + "Call-ID: " + callId + "\r\nCSeq: 2 BYE\r\nMax-Forwards: " + maxForwards + "\r\nContent-Length: 0\r\n\r\n";
    }

    /** The callee's answer to a request: its Vias, From, To, Call-ID and CSeq. */
    private static String answer(String request, String status) {
        StringBuilder answer = new StringBuilder("SIP/2.0 " + status + "\r\n");
        for (String via : headers(request, "Via")) {
            answer.append("Via: ").append(via).append("\r\n");
        }
        for (String name : List.of("From", "To", "Call-ID", "CSeq")) {
            answer.append(name).append(": ").append(header(request, name)).append("\r\n");
        }
        return answer.append("Content-Length: 0\r\n\r\n").toString();
    }

    private void send(DatagramSocket from, String message) throws IOException {
        byte[] bytes = message.getBytes(StandardCharsets.UTF_8);
        from.send(new DatagramPacket(bytes, bytes.length, InetAddress.getLoopbackAddress(), stack.port()));
    }

    private static String receive(DatagramSocket socket) throws IOException {
        String message = receiveOrNothing(socket);
        assertFalse(message.isEmpty(), "nothing arrived within 3 s");
        return message;
    }

    private static String receiveOrNothing(DatagramSocket socket) throws IOException {
        return LoopbackSipStack.receive(socket);
    }

    private static DatagramSocket socket() throws IOException {
        DatagramSocket socket = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0));
        socket.setSoTimeout(3000);
        return socket;
    }

    private static String firstLine(String message) {
        return message.substring(0, message.indexOf("\r\n"));
    }

    private static String header(String message, String name) {
        List<String> all = headers(message, name);
        return all.isEmpty() ? null : all.get(0);
    }

    /** Each value of a header, in order, whether on separate lines or comma-separated on one. */
    private static List<String> headers(String message, String name) {
        Matcher m = Pattern.compile("(?im)^" + Pattern.quote(name) + ":\\s*(.*?)\\r?$").matcher(message);
        List<String> values = new java.util.ArrayList<>();
        while (m.find()) {
            for (String value : m.group(1).split(",(?![^<]*>)")) {
                values.add(value.trim());
            }
        }
        return values;
    }
}
