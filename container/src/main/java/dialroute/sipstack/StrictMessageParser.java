package dialroute.sipstack;

import gov.nist.core.CommonLogger;
import gov.nist.core.LogLevels;
import gov.nist.core.StackLogger;
import gov.nist.javax.sip.header.CSeq;
import gov.nist.javax.sip.header.CallID;
import gov.nist.javax.sip.header.ContentLength;
import gov.nist.javax.sip.header.From;
import gov.nist.javax.sip.header.RequestLine;
import gov.nist.javax.sip.header.StatusLine;
import gov.nist.javax.sip.header.To;
import gov.nist.javax.sip.header.Via;
import gov.nist.javax.sip.message.SIPMessage;
import gov.nist.javax.sip.message.SIPRequest;
import gov.nist.javax.sip.message.SIPResponse;
import gov.nist.javax.sip.parser.Lexer;
import gov.nist.javax.sip.parser.ParseExceptionListener;
import gov.nist.javax.sip.parser.StringMsgParser;
import gov.nist.javax.sip.stack.MessageChannel;

import java.text.ParseException;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

import javax.sip.header.ContentLengthHeader;
import javax.sip.message.Request;

/**
 * The SIP stack's message parser, with RFC 3261's rules for a malformed request applied the same
 * way on every transport: a request whose request line, Via, From, To, Call-ID, CSeq or
 * Content-Length cannot be parsed, that repeats one of the headers that may appear only once, or
 * that lacks Via, From, To, Call-ID or CSeq, is answered {@code 400 Bad Request}, and one that
 * declares a body larger than the stack takes ({@code MAX_MESSAGE_SIZE}) {@code 513 Message Too
 * Large} (both by {@link RefusalAnswer}); neither reaches a transaction. A malformed ACK or response is
 * dropped: neither is ever answered (RFC 3261 17.1.1.3, 17.2.3). Installed with
 * {@code gov.nist.javax.sip.MESSAGE_PARSER_FACTORY=dialroute.sipstack.StrictMessageParserFactory}.
 *
 * <p>Why: the stack's own handling differs by transport and is wrong on each (RFC 4475 3.1.2).
 * Over UDP it answers 400 with its parser's diagnostic in the reason phrase and the whole request
 * echoed as a body, and not at all when Call-ID, From or To is missing; over TCP and TLS it closes
 * the connection without a word (and with it every other call on that connection); and on any
 * transport it keeps one of two CSeqs, Call-IDs or Content-Lengths and goes on as if the request
 * were fine, although nobody can tell which one the sender meant.
 *
 * <p>Parsing itself is the stack's: this class only watches what the stack reports. Messages the
 * stack parses for itself (copies it re-reads, with no channel behind them) are parsed exactly as
 * before.
 */
public final class StrictMessageParser extends StringMsgParser {

    private static final StackLogger LOGGER = CommonLogger.getLogger(StrictMessageParser.class);

    /** The stack's MAX_MESSAGE_SIZE (0: no limit). */
    private final int maxMessageSize;

    StrictMessageParser(int maxMessageSize) {
        this.maxMessageSize = maxMessageSize;
    }

    /** Headers the stack cannot do without; it gives up on a message when one of them is malformed. */
    private static final Set<Class<?>> ESSENTIAL = Set.of(From.class, To.class, CSeq.class, Via.class,
            CallID.class, ContentLength.class, RequestLine.class, StatusLine.class);

    @Override
    public SIPMessage parseSIPMessage(byte[] bytes, boolean readBody, boolean strict, ParseExceptionListener listener)
            throws ParseException {
        if (!(listener instanceof MessageChannel)) {
            return super.parseSIPMessage(bytes, readBody, strict, listener);
        }
        MessageChannel channel = (MessageChannel) listener;
        Inspection inspection = new Inspection();
        SIPMessage message;
        try {
            message = super.parseSIPMessage(bytes, readBody, strict, inspection);
        } catch (ParseException e) {
            if (inspection.message == null) {
                throw e; // not even a first line: the stack's own handling (nothing to answer to)
            }
            // A header folded onto nothing, a body that disagrees with Content-Length, ...: what
            // was parsed up to there is all there is to answer with.
            inspection.defect("malformed message", true);
            message = inspection.message;
        }
        if (message == null) {
            return null;
        }
        if (inspection.defect == null && message instanceof SIPRequest && !isAck(message)) {
            String missing = missingHeader(message);
            if (missing != null) {
                inspection.defect("missing " + missing + " header", false);
            }
        }
        if (inspection.defect == null && maxMessageSize > 0 && declaredBody(message) > maxMessageSize) {
            // Over TCP the stack would read no further and let the connection's thread die on it,
            // with no answer; RFC 3261 21.5.14 has an answer for it.
            inspection.status = SIPResponse.MESSAGE_TOO_LARGE;
            inspection.reason = "Message Too Large";
            inspection.defect("a body of " + declaredBody(message) + " bytes, above the " + maxMessageSize + " taken", true);
        }
        if (inspection.defect == null) {
            return message;
        }
        refuse(message, inspection, channel);
        return null;
    }

    @Override
    protected SIPMessage processFirstLine(String firstLine, ParseExceptionListener listener, byte[] bytes)
            throws ParseException {
        SIPMessage message = super.processFirstLine(firstLine, listener, bytes);
        if (listener instanceof Inspection) {
            ((Inspection) listener).message = message;
        }
        return message;
    }

    @Override
    protected void processHeader(String header, SIPMessage message, ParseExceptionListener listener, byte[] raw)
            throws ParseException {
        if (listener instanceof Inspection && message != null) {
            Inspection inspection = (Inspection) listener;
            HeaderField field = HeaderField.named(Lexer.getHeaderName(header));
            if (field == HeaderField.VIA) {
                inspection.viaLines.add(header);
            } else if (field != null && !inspection.seen.add(field)) {
                // The stack would keep one and drop the other; which one the sender meant is unknowable.
                inspection.defect("repeated " + field.canonicalName + " header", field == HeaderField.CONTENT_LENGTH);
                return;
            }
        }
        super.processHeader(header, message, listener, raw);
    }

    private static void refuse(SIPMessage message, Inspection inspection, MessageChannel channel) {
        boolean answer = message instanceof SIPRequest && !isAck(message);
        if (LOGGER.isLoggingEnabled(LogLevels.TRACE_DEBUG)) {
            LOGGER.logDebug((answer ? "answering " + inspection.status + " to" : "dropping") + " a message from " + channel.getPeerAddress()
                    + " over " + channel.getTransport() + ": " + inspection.defect);
        }
        if (answer) {
            RefusalAnswer.send((SIPRequest) message, inspection.status, inspection.reason, inspection.defect,
                    inspection.viaLines, inspection.unparsedEssentials, channel);
        }
        if (channel.isReliable() && (inspection.framingInDoubt || hasBody(message))) {
            // Over a stream the next request starts where this one's body ends; with the request
            // refused that body would be read as the next request, and with Content-Length in doubt
            // nobody knows where it ends. Closing is the one safe way on (RFC 3261 18.3).
            channel.close();
        }
    }

    private static boolean hasBody(SIPMessage message) {
        return declaredBody(message) > 0;
    }

    /** The body length the message's Content-Length declares. */
    private static int declaredBody(SIPMessage message) {
        ContentLengthHeader length = message.getContentLength();
        return length == null ? 0 : length.getContentLength();
    }

    private static boolean isAck(SIPMessage message) {
        RequestLine line = ((SIPRequest) message).getRequestLine();
        return line != null && Request.ACK.equals(line.getMethod());
    }

    /** RFC 3261 8.1.1: what every request carries. Max-Forwards and the rest are checked later, in {@link MalformedRequestValve}. */
    private static String missingHeader(SIPMessage message) {
        if (message.getTopmostVia() == null) {
            return "Via";
        }
        if (message.getFrom() == null) {
            return "From";
        }
        if (message.getTo() == null) {
            return "To";
        }
        if (message.getCallId() == null) {
            return "Call-ID";
        }
        if (message.getCSeq() == null) {
            return "CSeq";
        }
        return null;
    }

    /** Via, and the headers that may appear only once (RFC 3261 7.3.1, 20) whose repetition this parser refuses. */
    private enum HeaderField {
        VIA("Via", "v"),
        FROM("From", "f"),
        TO("To", "t"),
        CALL_ID("Call-ID", "i"),
        CSEQ("CSeq", null),
        MAX_FORWARDS("Max-Forwards", null),
        CONTENT_LENGTH("Content-Length", "l");

        final String canonicalName;
        private final String compactForm;

        HeaderField(String canonicalName, String compactForm) {
            this.canonicalName = canonicalName;
            this.compactForm = compactForm;
        }

        static HeaderField named(String name) {
            if (name == null) {
                return null;
            }
            for (HeaderField field : values()) {
                if (field.canonicalName.equalsIgnoreCase(name) || (field.compactForm != null && field.compactForm.equalsIgnoreCase(name))) {
                    return field;
                }
            }
            return null;
        }
    }

    /**
     * What the stack reported while parsing one message. Stands in for the channel as the parser's
     * listener, so a malformed essential header is noted instead of closing the connection (TCP,
     * TLS) or aborting the parse (UDP), and the rest of the message is still read for the answer.
     */
    private static final class Inspection implements ParseExceptionListener {
        SIPMessage message;
        int status = SIPResponse.BAD_REQUEST;
        String reason = "Bad Request";
        String defect;
        boolean framingInDoubt;
        final Set<HeaderField> seen = EnumSet.noneOf(HeaderField.class);
        final List<String> viaLines = new ArrayList<>(2);
        /** From, To, Call-ID and CSeq lines the stack could not parse: the answer copies them as they came. */
        final List<String> unparsedEssentials = new ArrayList<>(1);

        void defect(String what, boolean framing) {
            if (defect == null) {
                defect = what;
            }
            framingInDoubt |= framing;
        }

        @Override
        public void handleException(ParseException ex, SIPMessage partial, Class headerClass, String header, String raw) {
            if (headerClass != null && ESSENTIAL.contains(headerClass)) {
                if (headerClass == RequestLine.class) {
                    defect("malformed request line", false);
                } else if (headerClass == StatusLine.class) {
                    defect("malformed status line", false);
                } else {
                    defect("malformed " + Lexer.getHeaderName(header) + " header", headerClass == ContentLength.class);
                    // Via lines are all in viaLines already; a Content-Length would contradict the answer's own.
                    if (headerClass != Via.class && headerClass != ContentLength.class) {
                        unparsedEssentials.add(header);
                    }
                }
            } else if (partial != null) {
                // As the stack does: a header nobody here needs is passed on as it came.
                partial.addUnparsed(header);
            }
        }
    }
}
