package dialroute.cli;

import java.util.ArrayList;
import java.util.List;

/** {@link WhatIf} for people: the rule that matched and why, the number, and what goes on the wire. */
final class TextOutput {
    private TextOutput() {
    }

    static String render(WhatIf w) {
        StringBuilder s = new StringBuilder();
        WhatIf.Input in = w.call();
        line(s, "Plan:", w.plan() + " (version " + w.version() + ")");
        line(s, "Call:", "number " + (in.number().isEmpty() ? "(empty)" : in.number()) + ", caller " + orUnknown(in.caller()) + ", source " + orUnknown(in.source())
                + ", at " + in.at());
        s.append('\n');

        if (w.candidates().isEmpty()) {
            s.append("Candidate rules: none").append(w.reject() != null && w.reject().cause().equals("no_route")
                    ? " (no prefix in the plan matches the start of " + w.dialled() + ")" : "").append("\n");
        } else {
            s.append("Candidate rules, longest prefix first:\n");
            int i = 1;
            for (WhatIf.Candidate c : w.candidates()) {
                s.append(String.format("  %d. prefix \"%s\" at line %d%s: %s\n", i++, c.prefix(), c.line(), quoted(c.description()),
                        verdict(c)));
                for (WhatIf.Condition k : c.conditions()) {
                    s.append("       - ").append(k.condition()).append(": ").append(k.held() ? "held" : "failed")
                            .append(" (").append(k.observed()).append(")\n");
                }
            }
        }
        s.append('\n');

        if (w.rule() != null) {
            line(s, "Matched:", "prefix \"" + w.rule().prefix() + "\" at line " + w.rule().line() + quoted(w.rule().description()));
            line(s, "Number:", w.dialled() + " -> " + (w.number().isEmpty() ? "(nothing left)" : w.number()) + " (" + w.rewrite() + ")");
        } else {
            line(s, "Matched:", "no rule");
            line(s, "Number:", (w.dialled().isEmpty() ? "(none)" : w.dialled()) + " (not rewritten)");
        }
        if (!w.skipped().isEmpty()) {
            line(s, "Skipped:", String.join(", ", w.skipped()) + " (left out of this call)");
        }
        if (w.proxy() != null) {
            proxy(s, w.proxy(), w.call().seed());
        } else if (w.redirect() != null) {
            redirect(s, w.redirect());
        } else {
            reject(s, w);
        }
        return s.toString();
    }

    private static void proxy(StringBuilder s, WhatIf.Proxy p, Long seed) {
        line(s, "Action:", "proxy, strategy " + p.strategy() + ", Record-Route "
                + (p.recordRoute() ? "on (ACK, BYE and re-INVITEs pass through dialroute)" : "off"));
        boolean groups = p.targets().stream().anyMatch(t -> t.kind().equals("group"));
        if (p.weighted() || groups) {
            List<String> lines = new ArrayList<>();
            p.targets().forEach(t -> lines.addAll(target(t)));
            line(s, "Targets:", lines.get(0));
            lines.subList(1, lines.size()).forEach(l -> line(s, "", l));
        }
        if (p.weighted()) {
            line(s, "Order:", p.order().equals("drawn")
                    ? "drawn by weight for each call; below is one draw (--seed " + seed + ")"
                    : "drawn by weight for each call; below in listed order, as if the first listed won every draw"
                    + " (give --seed S to draw one call's order)");
        }
        List<WhatIf.Branch> chain = p.chain();
        switch (p.forking()) {
            case "single" -> {
                line(s, "On the wire:", "INVITE " + branch(chain.get(0)));
                line(s, "Failover:", "none; a single target, whose final response goes to the caller");
            }
            case "parallel" -> {
                line(s, "On the wire:", "INVITE forked to every target at once; the first 2xx wins, the other branches are CANCELled:");
                for (WhatIf.Branch b : chain) {
                    s.append("  - ").append(branch(b)).append('\n');
                }
                line(s, "Failover:", "none (parallel); the caller gets the best final error only when every branch failed");
            }
            default -> {
                line(s, "On the wire:", "INVITE to one target at a time, in this order:");
                int i = 1;
                for (WhatIf.Branch b : chain) {
                    s.append("  ").append(i++).append(". ").append(branch(b)).append('\n');
                }
                WhatIf.Failover f = p.failover();
                line(s, "Failover:", "to the next target on a final " + String.join(", ", f.on())
                        + ", or when no provisional response arrives within " + f.provisionalTimeoutSeconds()
                        + " s; the caller sees one call, and the best final error only when every target failed");
            }
        }
    }

    /** The lines describing one target as written: a group with its members indented below it. */
    private static List<String> target(WhatIf.TargetSpec t) {
        List<String> lines = new ArrayList<>();
        if (t.kind().equals("group")) {
            lines.add(t.name() + weight(t) + ", a " + t.strategy() + " group of:");
            for (WhatIf.TargetSpec m : t.members()) {
                target(m).forEach(l -> lines.add("  " + l));
            }
        } else {
            lines.add((t.name().equals(t.uri()) ? t.uri() : t.name() + " " + t.uri()) + weight(t));
        }
        return lines;
    }

    private static String weight(WhatIf.TargetSpec t) {
        return t.weight() == null ? "" : ", weight " + t.weight() + " (first in " + percent(t.firstShare()) + " of calls)";
    }

    private static String branch(WhatIf.Branch b) {
        String uri = b.uri();
        String note = b.destination().equals(b.target()) ? "" : b.destination();
        if (b.destinationRewrite() != null) {
            note += (note.isEmpty() ? "" : "; ") + "number " + b.number() + " after the destination's " + b.destinationRewrite();
        }
        return note.isEmpty() ? uri : uri + "  (" + note + ")";
    }

    private static void redirect(StringBuilder s, WhatIf.Redirect r) {
        line(s, "Action:", "redirect " + r.status());
        line(s, "On the wire:", "SIP/2.0 " + r.status() + " " + r.reason() + ", nothing sent onward; the caller calls a Contact itself:");
        for (WhatIf.Contact c : r.contacts()) {
            s.append("  Contact: ").append(c.header());
            if (!c.destination().equals(c.target())) {
                s.append("  (").append(c.destination()).append(')');
            }
            s.append('\n');
        }
    }

    private static void reject(StringBuilder s, WhatIf w) {
        WhatIf.Reject r = w.reject();
        line(s, "Action:", "reject" + switch (r.cause()) {
            case "no_route" -> w.candidates().isEmpty() ? ": no rule matches" : ": every matching rule's conditions failed";
            case "not_a_number" -> ": '" + w.dialled() + "' is not a number (0-9 * # +; separators - . ( ) are ignored)";
            case "no_number" -> ": no number (empty user part)";
            case "nothing_left" -> ": the rule's rewrite (" + w.rewrite() + ") leaves no digits to dial";
            case "unavailable" -> ": every destination of the rule is down or disabled";
            default -> "";
        });
        line(s, "On the wire:", "SIP/2.0 " + r.status() + " " + r.reason() + (r.retryAfter() == null ? "" : ", Retry-After: " + r.retryAfter()));
    }

    private static String verdict(WhatIf.Candidate c) {
        return switch (c.verdict()) {
            case "chosen" -> c.conditions().isEmpty() ? "CHOSEN (no conditions: it always applies)" : "CHOSEN (all conditions held)";
            case "conditions_failed" -> "conditions failed, search goes on";
            case "destinations_unavailable" -> "every destination down or disabled, search goes on (unavailable: next-rule)";
            default -> "not needed (already decided)";
        };
    }

    private static String percent(Double share) {
        return share == Math.rint(share) ? share.intValue() + "%" : share + "%";
    }

    private static String quoted(String description) {
        return description == null ? "" : " (" + description + ")";
    }

    private static String orUnknown(String s) {
        return s == null ? "unknown" : s;
    }

    private static void line(StringBuilder s, String label, String text) {
        s.append(String.format("%-13s%s\n", label, text));
    }
}
