package dialroute.cli;

import dialroute.dialplan.Hop;

/**
 * How the SIP layer ({@code dialroute.sip.SipActions}) writes a redirect Contact header,
 * reproduced without the container. URIs and reason phrases come from the core ({@code Hop},
 * {@code ReasonPhrases}), which the SIP layer uses too.
 */
final class SipWire {
    private SipWire() {
    }

    /** The q-value as the container writes it ({@code Float.toString}): 1.0, 0.5, 0.667. */
    static String q(Double q) {
        return q == null ? null : Float.toString(q.floatValue());
    }

    /** A redirect's Contact header value: {@code <sip:4123@127.0.0.1:5091>;q=1.0;expires=60}. */
    static String contact(Hop hop) {
        StringBuilder s = new StringBuilder("<").append(hop.uri()).append('>');
        if (hop.q() != null) {
            s.append(";q=").append(q(hop.q()));
        }
        if (hop.expires() != null) {
            s.append(";expires=").append(hop.expires());
        }
        return s.toString();
    }
}
