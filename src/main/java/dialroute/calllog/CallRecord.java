package dialroute.calllog;

import dialroute.dialplan.Call;
import dialroute.dialplan.Decision;
import java.time.Instant;
import java.util.Objects;

/**
 * One call as the call log sees it: its {@link Decision} plus what {@link dialroute.dialplan.RoutingEvents}
 * do not carry, the Call-ID and the caller. Built once per new INVITE, where the request is at hand,
 * and handed to {@link JsonCallLog} when the call has its final answer.
 *
 * @param time     when the decision was made (the call's arrival, {@link Call#time()})
 * @param callId   the INVITE's Call-ID
 * @param caller   the From user part, or null
 * @param decision what the plan decided
 */
public record CallRecord(Instant time, String callId, String caller, Decision decision) {
    public CallRecord {
        Objects.requireNonNull(time, "time");
        Objects.requireNonNull(decision, "decision");
    }

    public static CallRecord of(String callId, Call call, Decision decision) {
        return new CallRecord(call.time(), callId, call.caller(), decision);
    }
}
