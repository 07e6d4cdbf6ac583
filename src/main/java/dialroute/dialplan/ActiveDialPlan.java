package dialroute.dialplan;

import java.util.concurrent.atomic.AtomicReference;

/**
 * The one live reference to the plan that is serving. Each call reads it once, so a swap never
 * changes a decision already made.
 */
public final class ActiveDialPlan {
    private final AtomicReference<DialPlan> current;

    public ActiveDialPlan(DialPlan initial) {
        this.current = new AtomicReference<>(initial);
    }

    public DialPlan current() {
        return current.get();
    }

    /** Puts {@code next} in service; returns the plan it replaced. */
    public DialPlan replace(DialPlan next) {
        return current.getAndSet(next);
    }
}
