package dialroute.dialplan;

import java.util.List;

/** What a rule does with a call. The decision for one call resolves it into concrete {@link Hop}s. */
public sealed interface Action permits Action.ProxyTo, Action.RedirectTo, Action.Reject {

    /**
     * Forward the INVITE to the targets, one after another or all at once, staying in the path when
     * {@code recordRoute}. Weights matter only with {@link Strategy#WEIGHTED}.
     */
    record ProxyTo(List<Weighted<Endpoint>> targets, Strategy strategy, Failover failover, boolean recordRoute)
            implements Action {
        public ProxyTo {
            targets = List.copyOf(targets);
            if (targets.isEmpty()) {
                throw new IllegalArgumentException("a proxy rule needs at least one target");
            }
        }

        /** One target, tried once: the simplest rule. */
        public static ProxyTo to(Target target) {
            return new ProxyTo(List.of(new Weighted<>(Destination.inline(target), 1)), Strategy.SEQUENTIAL,
                    Failover.DEFAULT, true);
        }
    }

    /**
     * Answer a 3xx with one Contact per destination: the caller calls there itself, and dialroute
     * sends nothing onward.
     */
    record RedirectTo(int status, List<ContactSpec> contacts) implements Action {
        public RedirectTo {
            contacts = List.copyOf(contacts);
            if (contacts.isEmpty()) {
                throw new IllegalArgumentException("a redirect needs at least one Contact");
            }
        }

        public static RedirectTo to(Target target) {
            return new RedirectTo(302, List.of(new ContactSpec(Destination.inline(target), null, null)));
        }
    }

    /**
     * A redirect Contact: where, and optionally its q-value (preference, 0 to 1) and expires (seconds).
     * Without q, q-values descend in list order.
     */
    record ContactSpec(Endpoint endpoint, Double q, Integer expires) {
    }

    /**
     * Answer with a final error.
     *
     * @param reason     the reason phrase, or null for the standard one of {@code status}
     * @param retryAfter seconds for a {@code Retry-After} header (RFC 3261 section 20.33), or null for none
     */
    record Reject(int status, String reason, Integer retryAfter) implements Action {
        public Reject {
            if (status < 400 || status > 699) {
                throw new IllegalArgumentException("a rejection needs a 4xx, 5xx or 6xx status, was " + status);
            }
        }

        public Reject(int status, String reason) {
            this(status, reason, null);
        }

        /** The phrase that goes on the wire: the plan's, else the standard one. */
        public String phrase() {
            return reason != null ? reason : ReasonPhrases.of(status);
        }
    }
}
