package dialroute.metrics;

import dialroute.dialplan.ActiveDialPlan;
import dialroute.dialplan.Destination;
import dialroute.dialplan.Endpoint;
import dialroute.health.DestinationHealth;
import dialroute.health.ProbeState;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

/** Destination health as gauges, read from {@link DestinationHealth} at scrape time (no thread, no copy). */
public final class HealthGauges {
    private HealthGauges() {
    }

    public static void register(PrometheusRegistry registry, ActiveDialPlan plans, DestinationHealth health) {
        GaugeWithCallback.builder().name("dialroute_destination_up")
                .help("Probe state of each probed destination: 1 up, 0 down (absent until its first probe ends)")
                .labelNames("destination")
                .callback(cb -> {
                    for (Endpoint e : plans.current().endpoints().values()) {
                        ProbeState s = e instanceof Destination d && d.probed() ? health.state(d.name()) : null;
                        if (s != null && s.health() != ProbeState.Health.UNKNOWN) {
                            cb.call(s.health() == ProbeState.Health.UP ? 1 : 0, e.name());
                        }
                    }
                }).register(registry);
        GaugeWithCallback.builder().name("dialroute_destination_enabled")
                .help("The admin's switch for each named destination: 1 enabled, 0 disabled")
                .labelNames("destination")
                .callback(cb -> {
                    for (Endpoint e : plans.current().endpoints().values()) {
                        if (e instanceof Destination d) {
                            cb.call(health.isEnabled(d.name()) ? 1 : 0, d.name());
                        }
                    }
                }).register(registry);
    }
}
