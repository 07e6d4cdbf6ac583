package dialroute.metrics;

import dialroute.dialplan.Rule;
import java.util.Map;

/** The counters as numbers, for the admin API and page (Prometheus scrapes the same counters as metrics). */
public interface CallCounts {

    /** Counts per destination name; destinations that never got a call are absent. */
    Map<String, DestinationCounts> destinations();

    /** Calls routed by {@code rule} since the plan holding it went into service. */
    long routed(Rule rule);

    /**
     * @param attempts  INVITEs proxied there, first tries and failovers alike
     * @param responses final responses from there by class ("2xx".."6xx"; 408 includes silence)
     * @param failovers calls that moved on from there to a further target
     */
    record DestinationCounts(long attempts, Map<String, Long> responses, long failovers) {
        public static final DestinationCounts NONE = new DestinationCounts(0, Map.of(), 0);
    }
}
