package dialroute.dialplan;

import java.net.InetAddress;
import java.time.DayOfWeek;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * When a rule applies, checked after its prefix matched. Every condition given must hold; a rule
 * with none always applies. Each condition can say why it held or not, for the what-if command.
 */
public record Conditions(List<Condition> all) {
    public static final Conditions ALWAYS = new Conditions(List.of());

    public Conditions {
        all = List.copyOf(all);
    }

    public boolean isAlways() {
        return all.isEmpty();
    }

    public boolean holdFor(Call call) {
        for (Condition c : all) {
            if (!c.holdsFor(call)) {
                return false;
            }
        }
        return true;
    }

    /** Each condition with whether it held, in plan order. */
    public List<Outcome> check(Call call) {
        List<Outcome> outcomes = new ArrayList<>(all.size());
        for (Condition c : all) {
            outcomes.add(new Outcome(c.toString(), c.holdsFor(call), c.observed(call)));
        }
        return outcomes;
    }

    /** One condition checked against one call. */
    public record Outcome(String condition, boolean held, String observed) {
    }

    /** One test a call must pass. */
    public sealed interface Condition permits CallerPrefix, CallerRegex, SourceNetworks, TimeWindow {
        boolean holdsFor(Call call);

        /** What the call showed for this condition, for explanations. */
        String observed(Call call);
    }

    /** The caller (From user) starts with one of these prefixes. */
    public record CallerPrefix(List<String> prefixes) implements Condition {
        @Override
        public boolean holdsFor(Call call) {
            return call.caller() != null && prefixes.stream().anyMatch(call.caller()::startsWith);
        }

        @Override
        public String observed(Call call) {
            return "caller " + (call.caller() == null ? "unknown" : call.caller());
        }

        @Override
        public String toString() {
            return "caller starts with " + String.join(" or ", prefixes);
        }
    }

    /** The whole caller (From user) matches a regex. */
    public record CallerRegex(Pattern regex) implements Condition {
        @Override
        public boolean holdsFor(Call call) {
            return call.caller() != null && regex.matcher(call.caller()).matches();
        }

        @Override
        public String observed(Call call) {
            return "caller " + (call.caller() == null ? "unknown" : call.caller());
        }

        @Override
        public String toString() {
            return "caller matches " + regex.pattern();
        }
    }

    /** The request came from an address in one of these networks. */
    public record SourceNetworks(List<Cidr> networks) implements Condition {
        @Override
        public boolean holdsFor(Call call) {
            return call.source() != null && networks.stream().anyMatch(n -> n.contains(call.source()));
        }

        @Override
        public String observed(Call call) {
            return "source " + (call.source() == null ? "unknown" : call.source().getHostAddress());
        }

        @Override
        public String toString() {
            return "source in " + String.join(" or ", networks.stream().map(Cidr::toString).toList());
        }
    }

    /**
     * The call arrives on one of {@code days}, between {@code from} (inclusive) and {@code until}
     * (exclusive) local time, within the optional date range, all in {@code zone}. A window whose
     * {@code until} is before {@code from} runs over midnight (22:00-06:00).
     */
    public record TimeWindow(Set<DayOfWeek> days, LocalTime from, LocalTime until, LocalDate firstDate, LocalDate lastDate,
                             ZoneId zone) implements Condition {
        @Override
        public boolean holdsFor(Call call) {
            ZonedDateTime local = call.time().atZone(zone);
            LocalDate date = local.toLocalDate();
            LocalTime time = local.toLocalTime();
            // A window over midnight belongs to the day it started on.
            if (from.isAfter(until) && time.isBefore(until)) {
                date = date.minusDays(1);
            }
            if (firstDate != null && date.isBefore(firstDate) || lastDate != null && date.isAfter(lastDate)) {
                return false;
            }
            if (!days.contains(date.getDayOfWeek())) {
                return false;
            }
            if (from.equals(until)) {
                return true;
            }
            return from.isBefore(until)
                    ? !time.isBefore(from) && time.isBefore(until)
                    : !time.isBefore(from) || time.isBefore(until);
        }

        @Override
        public String observed(Call call) {
            ZonedDateTime local = call.time().atZone(zone);
            return "local time " + local.getDayOfWeek().toString().substring(0, 3).toLowerCase() + " "
                    + local.toLocalDate() + " " + local.toLocalTime().withNano(0);
        }

        @Override
        public String toString() {
            StringBuilder s = new StringBuilder("time ");
            s.append(days.size() == 7 ? "any day" : String.join(",", days.stream().sorted()
                    .map(d -> d.toString().substring(0, 3).toLowerCase()).toList()));
            if (!from.equals(until)) {
                s.append(' ').append(from).append('-').append(until);
            }
            if (firstDate != null || lastDate != null) {
                s.append(" from ").append(firstDate == null ? "any date" : firstDate)
                        .append(" to ").append(lastDate == null ? "any date" : lastDate);
            }
            return s.append(' ').append(zone).toString();
        }
    }

    /** An IPv4 or IPv6 network such as 10.0.0.0/8 or 2001:db8::/32. */
    public record Cidr(byte[] network, int bits, String text) {
        /**
         * @throws IllegalArgumentException naming the culprit
         */
        public static Cidr parse(String text) {
            String[] parts = text.trim().split("/", -1);
            InetAddress parsed = parts.length > 2 ? null : IpLiteral.parse(parts[0]).orElse(null);
            if (parsed == null) {
                throw new IllegalArgumentException("'" + text + "' is not a network (e.g. 10.0.0.0/8 or 2001:db8::/32)");
            }
            byte[] address = parsed.getAddress();
            int max = address.length * 8;
            int bits = max;
            if (parts.length == 2) {
                if (!parts[1].matches("\\d{1,3}") || Integer.parseInt(parts[1]) > max) {
                    throw new IllegalArgumentException("'" + text + "' has prefix length /" + parts[1] + "; an IPv"
                            + (max == 32 ? "4" : "6") + " network takes /0 to /" + max);
                }
                bits = Integer.parseInt(parts[1]);
            }
            return new Cidr(address, bits, text.trim());
        }

        public boolean contains(InetAddress address) {
            byte[] a = address.getAddress();
            if (a.length != network.length) {
                return false;
            }
            int full = bits / 8;
            for (int i = 0; i < full; i++) {
                if (a[i] != network[i]) {
                    return false;
                }
            }
            int rest = bits % 8;
            if (rest == 0) {
                return true;
            }
            int mask = 0xff << (8 - rest) & 0xff;
            return (a[full] & mask) == (network[full] & mask);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Cidr c && c.bits == bits && java.util.Arrays.equals(c.network, network);
        }

        @Override
        public int hashCode() {
            return java.util.Arrays.hashCode(network) * 31 + bits;
        }

        @Override
        public String toString() {
            return text;
        }
    }
}
