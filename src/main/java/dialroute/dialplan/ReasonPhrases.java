package dialroute.dialplan;

import java.util.Map;

/**
 * The reason phrase dialroute sends with a status when the plan gives none: the names RFC 3261
 * section 21 (and RFC 3262, 3265, 3329, 4412, 5360, 6665) gives the codes. dialroute always sends a
 * phrase of its own, so what the what-if command shows is exactly what goes on the wire.
 */
public final class ReasonPhrases {
    private static final Map<Integer, String> PHRASES = Map.ofEntries(
            Map.entry(300, "Multiple Choices"), Map.entry(301, "Moved Permanently"), Map.entry(302, "Moved Temporarily"),
            Map.entry(305, "Use Proxy"), Map.entry(380, "Alternative Service"),
            Map.entry(400, "Bad Request"), Map.entry(401, "Unauthorized"), Map.entry(402, "Payment Required"),
            Map.entry(403, "Forbidden"), Map.entry(404, "Not Found"), Map.entry(405, "Method Not Allowed"),
            Map.entry(406, "Not Acceptable"), Map.entry(407, "Proxy Authentication Required"), Map.entry(408, "Request Timeout"),
            Map.entry(410, "Gone"), Map.entry(413, "Request Entity Too Large"), Map.entry(414, "Request-URI Too Long"),
            Map.entry(415, "Unsupported Media Type"), Map.entry(416, "Unsupported URI Scheme"), Map.entry(420, "Bad Extension"),
            Map.entry(421, "Extension Required"), Map.entry(423, "Interval Too Brief"), Map.entry(480, "Temporarily Unavailable"),
            Map.entry(481, "Call/Transaction Does Not Exist"), Map.entry(482, "Loop Detected"), Map.entry(483, "Too Many Hops"),
            Map.entry(484, "Address Incomplete"), Map.entry(485, "Ambiguous"), Map.entry(486, "Busy Here"),
            Map.entry(487, "Request Terminated"), Map.entry(488, "Not Acceptable Here"), Map.entry(489, "Bad Event"),
            Map.entry(491, "Request Pending"), Map.entry(493, "Undecipherable"), Map.entry(494, "Security Agreement Required"),
            Map.entry(500, "Server Internal Error"), Map.entry(501, "Not Implemented"), Map.entry(502, "Bad Gateway"),
            Map.entry(503, "Service Unavailable"), Map.entry(504, "Server Time-out"), Map.entry(505, "Version Not Supported"),
            Map.entry(513, "Message Too Large"), Map.entry(580, "Precondition Failure"),
            Map.entry(600, "Busy Everywhere"), Map.entry(603, "Decline"), Map.entry(604, "Does Not Exist Anywhere"),
            Map.entry(606, "Not Acceptable"));

    private ReasonPhrases() {
    }

    /** The standard phrase of {@code status}, or the name of its class for codes without one. */
    public static String of(int status) {
        String phrase = PHRASES.get(status);
        if (phrase != null) {
            return phrase;
        }
        return switch (status / 100) {
            case 3 -> "Redirection";
            case 4 -> "Request Failure";
            case 5 -> "Server Failure";
            case 6 -> "Global Failure";
            default -> "Unknown";
        };
    }
}
