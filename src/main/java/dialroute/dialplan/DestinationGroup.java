package dialroute.dialplan;

import java.util.List;

/**
 * Destinations used together, like a carrier's gateways: tried in the listed order
 * ({@link Strategy#SEQUENTIAL}) or in an order drawn by weight for each call
 * ({@link Strategy#WEIGHTED}). Usable wherever a destination is.
 */
public record DestinationGroup(String name, Strategy strategy, List<Weighted<Destination>> members) implements Endpoint {
    public DestinationGroup {
        members = List.copyOf(members);
    }
}
