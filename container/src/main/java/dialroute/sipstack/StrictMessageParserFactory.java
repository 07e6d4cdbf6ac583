package dialroute.sipstack;

import gov.nist.javax.sip.parser.MessageParser;
import gov.nist.javax.sip.parser.MessageParserFactory;
import gov.nist.javax.sip.stack.SIPTransactionStack;

/**
 * Gives the SIP stack {@link StrictMessageParser} for every message it reads. Named in
 * conf/mss-sip-stack.properties as {@code gov.nist.javax.sip.MESSAGE_PARSER_FACTORY}.
 */
public final class StrictMessageParserFactory implements MessageParserFactory {

    /** Keeps no state between messages, so one serves every channel, as the stack's own does. */
    private static final StrictMessageParser PARSER = new StrictMessageParser();

    @Override
    public MessageParser createMessageParser(SIPTransactionStack stack) {
        return PARSER;
    }
}
