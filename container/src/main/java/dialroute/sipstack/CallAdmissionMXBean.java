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

    /**
     * New INVITEs answered 503 since the stack started: at the limit on all new calls, or because
     * they waited too long in the receive queue.
     */
    long getRefusedCalls();

    /** The limit in new calls per second; 0 when there is none. */
    double getMaxCallsPerSecond();

    /** The longest a new INVITE may wait in the UDP receive queue and still be admitted, in ms; 0: no limit. */
    long getMaxQueueWaitMillis();
}
