package dialroute.sipstack;

import gov.nist.javax.sip.parser.MessageParser;
import gov.nist.javax.sip.parser.MessageParserFactory;
import gov.nist.javax.sip.stack.SIPTransactionStack;

/**
 * Gives the SIP stack {@link StrictMessageParser} for every message it reads. Named in
 * conf/mss-sip-stack.properties as {@code gov.nist.javax.sip.MESSAGE_PARSER_FACTORY}.
 */
public final class StrictMessageParserFactory implements MessageParserFactory {

    /** Keeps no state between messages, so one serves every channel of the stack, as the stack's own does. */
    private volatile StrictMessageParser parser;

    @Override
    public MessageParser createMessageParser(SIPTransactionStack stack) {
        StrictMessageParser current = parser;
        if (current == null) {
            // One factory per stack (the stack creates it from its properties), so one limit.
            current = new StrictMessageParser(stack.getMaxMessageSize());
            parser = current;
        }
        return current;
    }
}
