package dialroute.metrics;

import java.lang.management.ManagementFactory;
import java.util.function.LongSupplier;
import javax.management.JMException;
import javax.management.MBeanServer;
import javax.management.ObjectName;

/**
 * New calls the SIP stack refused at the limit on all new calls ({@code dialroute.overload.max-cps}):
 * the container's {@code dialroute.sipstack.CallAdmissionValve} answers them before dialroute
 * sees them, so the count can only come from the valve, which publishes it in JMX as
 * {@code dialroute:type=CallAdmission,stack="NAME"}, attribute {@code RefusedCalls}. Read by name
 * because the valve lives in the container's class loader; without the valve (the Arquillian
 * container, a container without dialroute's stack settings) the count is 0.
 */
final class SipStackShedCount implements LongSupplier {
    private static final ObjectName VALVES = pattern();

    private final MBeanServer jmx;

    SipStackShedCount() {
        this(ManagementFactory.getPlatformMBeanServer());
    }

    SipStackShedCount(MBeanServer jmx) {
        this.jmx = jmx;
    }

    @Override
    public long getAsLong() {
        long total = 0;
        for (ObjectName valve : jmx.queryNames(VALVES, null)) {
            try {
                if (jmx.getAttribute(valve, "RefusedCalls") instanceof Number n) {
                    total += n.longValue();
                }
            } catch (JMException e) {
                // a stack stopping while the metrics are read: its count is gone with it
            }
        }
        return total;
    }

    private static ObjectName pattern() {
        try {
            // = dialroute.sipstack.CallAdmissionMXBean.OBJECT_NAME_PATTERN (another jar, another class loader)
            return new ObjectName("dialroute:type=CallAdmission,*");
        } catch (JMException e) {
            throw new IllegalStateException(e);
        }
    }
}
