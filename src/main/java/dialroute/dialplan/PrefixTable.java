package dialroute.dialplan;

/**
 * A digit trie from prefixes to values with longest-prefix lookup in O(length of the number),
 * whatever the number of prefixes. Knows nothing about SIP or rules. Not thread-safe while being
 * filled; safe to share once built, because it is never changed after that.
 */
final class PrefixTable<V> {
    private final Node<V> root = new Node<>();

    private static final class Node<V> {
        @SuppressWarnings("unchecked")
        final Node<V>[] children = new Node[DialString.DIAL_CHARS.length()];
        V value;
    }

    /** Stores {@code value} under {@code prefix}; returns what was there before, or null. */
    V put(String prefix, V value) {
        Node<V> node = root;
        for (int i = 0; i < prefix.length(); i++) {
            int slot = slot(prefix.charAt(i));
            if (slot < 0) {
                throw new IllegalArgumentException("prefix '" + prefix + "' holds characters other than 0-9 * # +");
            }
            if (node.children[slot] == null) {
                node.children[slot] = new Node<>();
            }
            node = node.children[slot];
        }
        V previous = node.value;
        node.value = value;
        return previous;
    }

    /** The value of the longest prefix of {@code number} in the table, or null when none is. */
    V longestMatch(String number) {
        Node<V> node = root;
        V best = node.value;
        for (int i = 0; i < number.length(); i++) {
            int slot = slot(number.charAt(i));
            if (slot < 0 || (node = node.children[slot]) == null) {
                break;
            }
            if (node.value != null) {
                best = node.value;
            }
        }
        return best;
    }

    /**
     * Fills {@code into} with the values of every prefix of {@code number} in the table, longest
     * first, and returns how many there are. {@code into} needs room for number.length() + 1.
     */
    int matches(String number, Object[] into) {
        int found = 0;
        Node<V> node = root;
        if (node.value != null) {
            into[found++] = node.value;
        }
        for (int i = 0; i < number.length(); i++) {
            int slot = slot(number.charAt(i));
            if (slot < 0 || (node = node.children[slot]) == null) {
                break;
            }
            if (node.value != null) {
                into[found++] = node.value;
            }
        }
        // Reverse in place: longest prefix first.
        for (int i = 0, j = found - 1; i < j; i++, j--) {
            Object t = into[i];
            into[i] = into[j];
            into[j] = t;
        }
        return found;
    }

    /** The value stored under exactly {@code prefix}, or null. */
    V get(String prefix) {
        Node<V> node = root;
        for (int i = 0; i < prefix.length() && node != null; i++) {
            int slot = slot(prefix.charAt(i));
            node = slot < 0 ? null : node.children[slot];
        }
        return node == null ? null : node.value;
    }

    private static int slot(char c) {
        if (c >= '0' && c <= '9') {
            return c - '0';
        }
        return switch (c) {
            case '*' -> 10;
            case '#' -> 11;
            case '+' -> 12;
            default -> -1;
        };
    }
}
