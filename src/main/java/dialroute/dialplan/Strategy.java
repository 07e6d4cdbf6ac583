package dialroute.dialplan;

/** How a proxy rule uses several targets. */
public enum Strategy {
    /** One at a time in the listed order, moving on when a target fails. */
    SEQUENTIAL,
    /** All at once; the first to answer wins and the others are cancelled. */
    PARALLEL,
    /** One at a time, in an order drawn by weight for each call, so load spreads by weight. */
    WEIGHTED
}
