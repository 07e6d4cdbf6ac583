package dialroute.dialplan;

/** Something a rule can send calls to: one destination, or a group of them (a carrier). */
public sealed interface Endpoint permits Destination, DestinationGroup {
    String name();
}
