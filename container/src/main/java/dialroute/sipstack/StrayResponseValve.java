package dialroute.sipstack;

import gov.nist.javax.sip.message.SIPResponse;
import gov.nist.javax.sip.stack.MessageChannel;
import gov.nist.javax.sip.stack.SIPMessageValve;
import gov.nist.javax.sip.stack.SIPTransactionStack;
import gov.nist.javax.sip.stack.ServerResponseInterface;
import gov.nist.javax.sip.stack.StackMessageFactory;
import java.lang.reflect.Field;
import javax.sip.SipStack;
import javax.sip.message.Response;

/**
 * Delivers a response that belongs to no client transaction straight to the container, without
 * the stack's search through every client transaction.
 *
 * <p>Why: when a response's transaction id is not in the client transaction table, JAIN-SIP
 * (SIPTransactionStack.newSIPServerResponse) still walks the whole table and asks each
 * transaction whether the response is part of it, lower-casing branch strings on the way. That
 * walk exists for RFC 2543 peers, whose responses carry no usable branch. For a response whose
 * top Via branch starts with the RFC 3261 magic cookie the table key <em>is</em> that branch
 * (plus ":cancel" for CANCEL), and a transaction matches only on an equal branch and method, so
 * the walk can never find anything the lookup missed. Such "stray" responses are the callee's
 * retransmitted 200 OKs of a proxied INVITE (its client transaction ends with the first 2xx):
 * they arrive exactly when the server is late with ACKs, and at 1,000 proxied calls/s each walk
 * covers thousands of transactions. Profiles of overload collapses showed 75 % of the server's
 * CPU in that walk, which delayed ACKs further and fed more retransmissions.
 *
 * <p>What it does: for a magic-cookie response with no transaction, what the stack would do after
 * its fruitless walk (hand the response to the listener, i.e. the SIP Servlets container, which
 * forwards a proxied 2xx retransmission upstream), and tells the stack the response is handled.
 * Any other response passes on unchanged. Requests always pass.
 *
 * <p>Configured in conf/mss-sip-stack.properties ({@code gov.nist.javax.sip.SIP_MESSAGE_VALVE},
 * last in the list, since it consumes what it handles).
 */
public final class StrayResponseValve implements SIPMessageValve {
    /** RFC 3261 section 8.1.1.7; transaction ids are lower case. */
    private static final String MAGIC_COOKIE = "z9hg4bk";

    private SIPTransactionStack stack;
    private Field messageFactoryField;
    private volatile StackMessageFactory messageFactory;

    @Override
    public void init(SipStack sipStack) {
        stack = (SIPTransactionStack) sipStack;
        try {
            // Protected and without a getter; it is set when the first listening point is created,
            // after the valves are initialised, so it is read on first use.
            messageFactoryField = SIPTransactionStack.class.getDeclaredField("sipMessageFactory");
            messageFactoryField.setAccessible(true);
        } catch (NoSuchFieldException e) {
            throw new IllegalStateException("this JAIN-SIP version has no SIPTransactionStack.sipMessageFactory", e);
        }
    }

    @Override
    public boolean processRequest(gov.nist.javax.sip.message.SIPRequest request, MessageChannel channel) {
        return true;
    }

    @Override
    public boolean processResponse(Response response, MessageChannel channel) {
        SIPResponse sipResponse = StatelessReplies.checkable(response);
        if (sipResponse == null) {
            return true; // the stack's own checks answer for malformed responses
        }
        String key = sipResponse.getTransactionId();
        if (!key.startsWith(MAGIC_COOKIE) || stack.findTransaction(key, false) != null) {
            return true;
        }
        StackMessageFactory factory = messageFactory();
        if (factory == null) {
            return true;
        }
        ServerResponseInterface listener = factory.newSIPServerResponse(sipResponse, channel);
        if (listener != null) {
            listener.processResponse(sipResponse, channel);
        }
        return false;
    }

    private StackMessageFactory messageFactory() {
        StackMessageFactory factory = messageFactory;
        if (factory == null) {
            try {
                factory = (StackMessageFactory) messageFactoryField.get(stack);
            } catch (IllegalAccessException e) {
                throw new IllegalStateException(e);
            }
            messageFactory = factory;
        }
        return factory;
    }

    @Override
    public void destroy() {
        // nothing held
    }
}
