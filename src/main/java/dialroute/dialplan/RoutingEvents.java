package dialroute.dialplan;

import java.time.Duration;

/**
 * What happens to calls and plans, for whoever counts it (metrics, call logs). Every method has a
 * do-nothing default, so a listener implements only what it needs and the routing code never
 * depends on how things are counted. Called on the call's thread: implementations must be fast
 * and must not throw.
 */
public interface RoutingEvents {
    RoutingEvents NONE = new RoutingEvents() {
    };

    /** A new INVITE got its decision. */
    default void decided(Decision decision) {
    }

    /**
     * A new INVITE was refused with 503 because the server is at its proxied-call admission limit
     * (the limit on all new calls refuses in the SIP stack, before the application sees the call).
     */
    default void shed(Decision decision) {
    }

    /** A new INVITE was refused because its source address sends more than it may (flood protection). */
    default void floodRefused() {
    }

    /** A proxied call was sent to {@code hop} (the first target, or a failover). */
    default void attempted(Hop hop) {
    }

    /**
     * A proxied call of {@code decision} moved on to a further target after {@code from} failed or
     * stayed silent ({@code from} is null if unknown).
     */
    default void failedOver(Decision decision, Hop from) {
    }

    /** {@code hop} answered a proxied call with a final {@code status}; 408 also stands for silence. */
    default void answered(Hop hop, int status) {
    }

    /** The caller got its final response {@code status}, {@code setup} after its INVITE arrived. */
    default void completed(Decision decision, int status, Duration setup) {
    }

    /** A plan went into service, at deploy or on reload. */
    default void planLoaded(DialPlan plan, boolean reload) {
    }

    /** A changed plan file was refused; the old plan keeps serving. */
    default void reloadRefused(InvalidDialPlanException problems) {
    }
}
