package dialroute.dialplan;

/** What dialroute does with a call: exactly one of these ends every INVITE. */
public sealed interface Action permits Action.ProxyTo, Action.RedirectTo, Action.Reject {

    /** Forward the INVITE to {@code target}, staying in the path when {@code recordRoute}. */
    record ProxyTo(Target target, boolean recordRoute) implements Action {
    }

    /** Answer {@code 302 Moved Temporarily} with {@code contact} (the number as its user part). */
    record RedirectTo(Target contact) implements Action {
    }

    /**
     * Answer with a final error.
     *
     * @param reason the reason phrase, or null for the standard one of {@code status}
     */
    record Reject(int status, String reason) implements Action {
        public Reject {
            if (status < 400 || status > 699) {
                throw new IllegalArgumentException("a rejection needs a 4xx, 5xx or 6xx status, was " + status);
            }
        }
    }
}
