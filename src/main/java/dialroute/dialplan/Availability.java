package dialroute.dialplan;

/**
 * Whether a destination may get calls right now. The plan asks it for every destination of a
 * decision; whoever knows (probe results, the admin's switch) answers. The plan itself holds no
 * such state, so a reload never forgets it and lookups stay plain functions of their inputs.
 */
@FunctionalInterface
public interface Availability {
    /** Every destination may get calls: for tools and for plans without probing. */
    Availability EVERY = destination -> null;

    /** Why {@code destination} gets no calls now, or null when it may. Called on the call's thread: must be fast. */
    Unavailable check(Destination destination);

    /** Why a destination is left out of a call. */
    enum Unavailable {
        /** Its probes failed: the server does not answer, or answers with a status not accepted. */
        DOWN,
        /** The admin switched it off. */
        DISABLED
    }
}
