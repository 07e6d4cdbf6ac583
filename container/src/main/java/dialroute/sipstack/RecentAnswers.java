package dialroute.sipstack;

import java.util.concurrent.ConcurrentHashMap;

/**
 * The answers {@link StatelessAnswerValve} sent for the last INVITEs, by transaction id, so that a
 * copy of an INVITE (the caller retransmits when the answer was lost or late) gets the same answer
 * without a new decision and is not counted as another call. A stateful server keeps this in its
 * server transaction for 32 s (64×T1); here each answer is kept for at most that long and only
 * for the last {@link #CAPACITY} INVITEs, so the memory has a bound whatever the call rate: at
 * 25,000 calls/s that is the last 0.65 s, which covers a caller's first retransmission (after
 * 0.5 s, the one a single lost answer causes); at 2,000 calls/s, 8 s (four retransmissions); at
 * 500 calls/s and below, the whole 32 s. A copy that arrives later is decided
 * again, as a stateless server (RFC 3261 section 8.2.7) does with every copy.
 */
final class RecentAnswers {
    /**
     * About 4 MB of keys and entries when full. Kept small on purpose: remembered answers that
     * outlive a young collection are copied into the old generation, and with 65,536 of them
     * redirects cost 15-20 % more CPU and the p99 setup time rose from 4 to 16-20 ms at
     * 10,000-25,000 calls/s (bench/RESULTS.md, fifth session).
     */
    static final int CAPACITY = 16_384;

    private record Entry(String[] answer, long atNanos) {
    }

    private final ConcurrentHashMap<String, Entry> byTransaction = new ConcurrentHashMap<>();
    private final long maxAgeNanos;
    /** Transaction ids in the order they were remembered; the oldest is forgotten for the newest. */
    private final String[] ring;
    private int next; // guarded by ring

    RecentAnswers(int capacity, long maxAgeNanos) {
        this.ring = new String[capacity];
        this.maxAgeNanos = maxAgeNanos;
    }

    /** The answer remembered for this transaction, or null when there is none or it is too old. */
    String[] find(String transactionId, long nowNanos) {
        Entry entry = byTransaction.get(transactionId);
        return entry == null || nowNanos - entry.atNanos() > maxAgeNanos ? null : entry.answer();
    }

    void remember(String transactionId, String[] answer, long nowNanos) {
        if (byTransaction.put(transactionId, new Entry(answer, nowNanos)) != null) {
            return; // already in the ring (two copies decided at once); keep one slot per id
        }
        String forgotten;
        synchronized (ring) {
            forgotten = ring[next];
            ring[next] = transactionId;
            next = (next + 1) % ring.length;
        }
        if (forgotten != null) {
            byTransaction.remove(forgotten);
        }
    }

    int size() {
        return byTransaction.size();
    }
}
