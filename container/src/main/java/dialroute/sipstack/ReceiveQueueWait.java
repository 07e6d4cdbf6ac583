package dialroute.sipstack;

/**
 * How long the UDP datagram the current thread is handling waited in the stack's receive queue
 * ({@link FreshFirstMessageProcessorFactory}) before a worker thread took it: how far behind the
 * server is right now. The stack's worker thread takes a datagram and then parses it and runs the
 * message valves on it, all on the same thread, so the valves read the wait of the very message
 * they judge.
 */
final class ReceiveQueueWait {
    /** Per worker thread: the wait of the datagram it took last, in ms; -1 before its first. */
    private static final ThreadLocal<long[]> WAITED = ThreadLocal.withInitial(() -> new long[] {-1});

    private ReceiveQueueWait() {
    }

    static void tookAfter(long waitedMillis) {
        WAITED.get()[0] = waitedMillis;
    }

    /**
     * The wait of the datagram this thread is handling, in ms; -1 on a thread that takes none
     * (TCP and TLS connections are read by their own threads, without a queue).
     */
    static long ofCurrentMessage() {
        return WAITED.get()[0];
    }
}
