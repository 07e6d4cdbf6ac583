package dialroute.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dialroute.dialplan.DialPlan;
import dialroute.dialplan.DialPlanProblem;
import java.util.List;

/**
 * The JSON forms of {@code check}'s answers. The field names are spelled out here, one by one, so
 * renaming a Java field never renames a JSON field; {@link Check} documents them. Fields that do
 * not apply are present with {@code null}, so scripts can rely on every key.
 */
final class JsonOutput {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private JsonOutput() {
    }

    static String valid(String planName, DialPlan plan) {
        ObjectNode o = MAPPER.createObjectNode();
        o.put("plan", planName);
        o.put("valid", true);
        o.put("version", plan.version());
        o.put("rules", plan.rules().size());
        o.put("destinations_and_groups", plan.endpoints().size());
        return write(o);
    }

    static String invalid(String planName, List<DialPlanProblem> problems) {
        ObjectNode o = MAPPER.createObjectNode();
        o.put("plan", planName);
        o.put("valid", false);
        ArrayNode list = o.putArray("problems");
        for (DialPlanProblem p : problems) {
            ObjectNode j = list.addObject();
            j.put("file", p.source());
            j.put("line", p.line());
            j.put("column", p.column());
            j.put("message", p.message());
        }
        return write(o);
    }

    static String whatIf(WhatIf w) {
        ObjectNode o = MAPPER.createObjectNode();
        o.put("plan", w.plan());
        o.put("valid", true);
        o.put("version", w.version());
        ObjectNode call = o.putObject("call");
        call.put("number", w.call().number());
        call.put("caller", w.call().caller());
        call.put("source", w.call().source());
        call.put("at", w.call().at());
        call.put("seed", w.call().seed());
        o.put("dialled", w.dialled());
        ArrayNode candidates = o.putArray("candidates");
        for (WhatIf.Candidate c : w.candidates()) {
            ObjectNode j = candidates.addObject();
            j.put("prefix", c.prefix());
            j.put("line", c.line());
            j.put("description", c.description());
            j.put("verdict", c.verdict());
            ArrayNode conditions = j.putArray("conditions");
            for (WhatIf.Condition k : c.conditions()) {
                ObjectNode kj = conditions.addObject();
                kj.put("condition", k.condition());
                kj.put("held", k.held());
                kj.put("observed", k.observed());
            }
        }
        if (w.rule() == null) {
            o.putNull("rule");
        } else {
            ObjectNode rule = o.putObject("rule");
            rule.put("prefix", w.rule().prefix());
            rule.put("line", w.rule().line());
            rule.put("description", w.rule().description());
        }
        o.put("number", w.number());
        o.put("rewrite", w.rewrite());
        o.put("action", w.action());
        o.set("proxy", w.proxy() == null ? null : proxy(w.proxy()));
        o.set("redirect", w.redirect() == null ? null : redirect(w.redirect()));
        o.set("reject", w.reject() == null ? null : reject(w.reject()));
        ArrayNode skipped = o.putArray("skipped");
        w.skipped().forEach(skipped::add);
        return write(o);
    }

    private static ObjectNode proxy(WhatIf.Proxy p) {
        ObjectNode o = MAPPER.createObjectNode();
        o.put("strategy", p.strategy());
        o.put("forking", p.forking());
        o.put("record_route", p.recordRoute());
        o.put("weighted", p.weighted());
        o.put("order", p.order());
        ArrayNode targets = o.putArray("targets");
        for (WhatIf.TargetSpec t : p.targets()) {
            targets.add(target(t));
        }
        ArrayNode chain = o.putArray("chain");
        for (WhatIf.Branch b : p.chain()) {
            ObjectNode j = chain.addObject();
            j.put("uri", b.uri());
            j.put("destination", b.destination());
            j.put("target", b.target());
            j.put("number", b.number());
            j.put("destination_rewrite", b.destinationRewrite());
        }
        if (p.failover() == null) {
            o.putNull("failover");
        } else {
            ObjectNode f = o.putObject("failover");
            ArrayNode on = f.putArray("on");
            p.failover().on().forEach(on::add);
            f.put("provisional_timeout_seconds", p.failover().provisionalTimeoutSeconds());
        }
        return o;
    }

    private static ObjectNode target(WhatIf.TargetSpec t) {
        ObjectNode o = MAPPER.createObjectNode();
        o.put("name", t.name());
        o.put("kind", t.kind());
        o.put("uri", t.uri());
        o.put("weight", t.weight());
        o.put("first_share_percent", t.firstShare());
        o.put("strategy", t.strategy());
        if (t.members() == null) {
            o.putNull("members");
        } else {
            ArrayNode members = o.putArray("members");
            t.members().forEach(m -> members.add(target(m)));
        }
        return o;
    }

    private static ObjectNode redirect(WhatIf.Redirect r) {
        ObjectNode o = MAPPER.createObjectNode();
        o.put("status", r.status());
        o.put("reason", r.reason());
        ArrayNode contacts = o.putArray("contacts");
        for (WhatIf.Contact c : r.contacts()) {
            ObjectNode j = contacts.addObject();
            j.put("uri", c.uri());
            j.put("destination", c.destination());
            j.put("target", c.target());
            j.put("q", c.q());
            j.put("expires", c.expires());
            j.put("header", c.header());
        }
        return o;
    }

    private static ObjectNode reject(WhatIf.Reject r) {
        ObjectNode o = MAPPER.createObjectNode();
        o.put("status", r.status());
        o.put("reason", r.reason());
        o.put("cause", r.cause());
        if (r.retryAfter() != null) {
            o.put("retry_after", r.retryAfter());
        }
        return o;
    }

    private static String write(ObjectNode node) {
        try {
            return MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(node) + "\n";
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a tree of plain values always serializes", e);
        }
    }
}
