package dialroute.sipstack;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gov.nist.javax.sip.SipStackImpl;
import gov.nist.javax.sip.message.SIPMessage;
import gov.nist.javax.sip.message.SIPRequest;
import gov.nist.javax.sip.message.SIPResponse;
import gov.nist.javax.sip.parser.StringMsgParser;
import gov.nist.javax.sip.stack.MessageChannel;
import gov.nist.javax.sip.stack.SIPDialog;
import gov.nist.javax.sip.stack.SIPTransaction;
import gov.nist.javax.sip.stack.SIPTransactionStack;
import gov.nist.javax.sip.stack.ServerRequestInterface;
import gov.nist.javax.sip.stack.ServerResponseInterface;
import gov.nist.javax.sip.stack.StackMessageFactory;
import java.lang.reflect.Field;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The valve on a real JAIN-SIP stack (no listening points) with a recording listener. */
class StrayResponseValveTest {
    private SipStackImpl stack;
    private final List<SIPResponse> delivered = new ArrayList<>();
    private final StrayResponseValve valve = new StrayResponseValve();

    @BeforeEach
    void stack() throws Exception {
        Properties properties = new Properties();
        properties.setProperty("javax.sip.STACK_NAME", "valve-test");
        stack = new SipStackImpl(properties);
        // What the container's listener would get: the response handed over without a transaction.
        StackMessageFactory recording = new StackMessageFactory() {
            @Override
            public ServerRequestInterface newSIPServerRequest(SIPRequest request, SIPTransaction transaction) {
                throw new AssertionError("requests are not the valve's business");
            }

            @Override
            public ServerResponseInterface newSIPServerResponse(SIPResponse response, MessageChannel channel) {
                return new ServerResponseInterface() {
                    @Override
                    public void processResponse(SIPResponse r, MessageChannel c, SIPDialog dialog) {
                        delivered.add(r);
                    }

                    @Override
                    public void processResponse(SIPResponse r, MessageChannel c) {
                        delivered.add(r);
                    }
                };
            }
        };
        Field factory = SIPTransactionStack.class.getDeclaredField("sipMessageFactory");
        factory.setAccessible(true);
        factory.set(stack, recording);
        valve.init(stack);
    }

    @AfterEach
    void stop() {
        stack.stop();
    }

    @Test
    void aRetransmitted200WithNoTransactionGoesStraightToTheListener() throws Exception {
        SIPResponse ok = response("z9hG4bK-callee-retransmits", "INVITE");

        assertFalse(valve.processResponse(ok, null), "handled: the stack must not scan its table for it");
        assertEquals(1, delivered.size());
        assertSame(ok, delivered.get(0));
    }

    @Test
    void aResponseWithAnOldStyleBranchIsLeftToTheStacksScan() throws Exception {
        // RFC 2543 peers: no magic cookie, so only the stack's field-by-field match can find its transaction.
        SIPResponse ok = response("rfc2543-branch-1", "INVITE");

        assertTrue(valve.processResponse(ok, null));
        assertTrue(delivered.isEmpty());
    }

    @Test
    void requestsPassUntouched() throws Exception {
        SIPMessage invite = parse("INVITE sip:9123@127.0.0.1:5080 SIP/2.0\r\n"
                + "Via: SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bK-new-call\r\n"
                + "From: <sip:caller@127.0.0.1>;tag=a\r\nTo: <sip:9123@127.0.0.1>\r\n"
                + "Call-ID: valve-test-2\r\nCSeq: 1 INVITE\r\nMax-Forwards: 70\r\nContent-Length: 0\r\n\r\n");

        assertTrue(valve.processRequest((SIPRequest) invite, null));
        assertTrue(delivered.isEmpty());
    }

    private static SIPResponse response(String branch, String method) throws Exception {
        return (SIPResponse) parse("SIP/2.0 200 OK\r\n"
                + "Via: SIP/2.0/UDP 127.0.0.1:5080;branch=" + branch + "\r\n"
                + "From: <sip:caller@127.0.0.1>;tag=a\r\nTo: <sip:9123@127.0.0.1>;tag=b\r\n"
                + "Call-ID: valve-test-1\r\nCSeq: 1 " + method + "\r\nContent-Length: 0\r\n\r\n");
    }

    private static SIPMessage parse(String text) throws Exception {
        return new StringMsgParser().parseSIPMessage(text.getBytes(StandardCharsets.UTF_8), true, false, null);
    }
}
