package dialroute.dialplan;

import java.net.InetAddress;
import java.time.Instant;

/**
 * What the plan knows about a call when it decides: the dialled number, who calls, from which
 * address, and when. Time is a field, not a clock read, so decisions can be replayed and tested.
 *
 * @param dialled the user part of the Request-URI (or tel: number) as received, null if none
 * @param caller  the user part of From, or null
 * @param source  the address the request came from, or null when unknown
 * @param time    when the call arrived
 */
public record Call(String dialled, String caller, InetAddress source, Instant time) {

    public static Call to(String dialled) {
        return new Call(dialled, null, null, Instant.now());
    }
}
