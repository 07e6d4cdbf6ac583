package dialroute.dialplan;

/** An item with its share of calls: weight 70 next to weight 30 gets 70% of first attempts. */
public record Weighted<T>(T item, int weight) {
}
