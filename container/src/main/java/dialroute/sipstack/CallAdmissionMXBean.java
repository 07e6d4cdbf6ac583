package dialroute.sipstack;

/**
 * What {@link CallAdmissionValve} shows in JMX, as {@code dialroute:type=CallAdmission,stack="NAME"}
 * on the platform MBean server: the application reads it by that name for its metrics
 * ({@code dialroute_calls_shed_by_sip_stack_total}), since the calls the valve refuses never reach
 * the application, and the two are loaded by different class loaders.
 */
public interface CallAdmissionMXBean {
    /** The JMX domain and type every valve registers under; the application queries this. */
    String OBJECT_NAME_PATTERN = "dialroute:type=CallAdmission,*";

    /** New INVITEs answered 503 at the limit on all new calls since the stack started. */
    long getRefusedCalls();

    /** The limit in new calls per second; 0 when there is none. */
    double getMaxCallsPerSecond();
}
