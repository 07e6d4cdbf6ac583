package dialroute.metrics;

import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.lang.management.ThreadMXBean;

/**
 * Heap, threads and garbage collection, read when scraped. Written here rather than taken from the
 * client library's JVM module, whose metrics start a JVM-wide thread that outlives an undeploy.
 */
public final class JvmBasics {
    private JvmBasics() {
    }

    public static void register(PrometheusRegistry registry) {
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        GaugeWithCallback.builder().name("jvm_memory_used_bytes").help("Used memory, heap and non-heap")
                .labelNames("area")
                .callback(c -> {
                    c.call(memory.getHeapMemoryUsage().getUsed(), "heap");
                    c.call(memory.getNonHeapMemoryUsage().getUsed(), "nonheap");
                })
                .register(registry);
        GaugeWithCallback.builder().name("jvm_memory_max_bytes").help("Maximum heap (-Xmx)")
                .callback(c -> c.call(memory.getHeapMemoryUsage().getMax()))
                .register(registry);
        GaugeWithCallback.builder().name("jvm_threads_current").help("Live threads")
                .callback(c -> c.call(threads.getThreadCount()))
                .register(registry);
        CounterWithCallback.builder().name("jvm_gc_collection_seconds").help("Time spent in garbage collection, by collector")
                .labelNames("gc")
                .callback(c -> {
                    for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
                        c.call(gc.getCollectionTime() / 1000.0, gc.getName());
                    }
                })
                .register(registry);
    }
}
