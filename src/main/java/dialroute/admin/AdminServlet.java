package dialroute.admin;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dialroute.calllog.JsonCallLog;
import dialroute.cli.Explanations;
import dialroute.dialplan.Action;
import dialroute.dialplan.ActiveDialPlan;
import dialroute.dialplan.Availability;
import dialroute.dialplan.Call;
import dialroute.dialplan.Decision;
import dialroute.dialplan.Destination;
import dialroute.dialplan.DialPlan;
import dialroute.dialplan.Endpoint;
import dialroute.dialplan.InvalidDialPlanException;
import dialroute.dialplan.IpLiteral;
import dialroute.dialplan.Rule;
import dialroute.health.DestinationHealth;
import dialroute.health.ProbeState;
import dialroute.metrics.CallCounts;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import javax.servlet.http.HttpServlet;
import javax.servlet.http.HttpServletRequest;
import javax.servlet.http.HttpServletResponse;

/**
 * The admin HTTP API, JSON in and out, HTTP Basic with the generated credentials:
 * <pre>
 * GET  /admin/plan                                   the plan in service: version, rules, destinations
 * GET  /admin/lookup?number=N[&amp;caller=C][&amp;source=IP][&amp;at=ISO][&amp;seed=S]   the decision and why
 * POST /admin/reload[?dry-run=true][&amp;numbers=N,N]    re-read the plan file: problems (422, nothing
 *                                                    changes), or the numbers whose decision changes;
 *                                                    without dry-run a valid plan goes into service
 * POST /admin/calllog?enabled=true|false             switch the call log (a file must be configured)
 * GET  /admin/destinations                          every named destination: probe health, admin switch, counters
 * GET  /admin/destinations/NAME                     one of them
 * POST /admin/destinations/NAME?enabled=false|true  the admin's switch: a disabled destination gets no calls
 *                                                    (kept across plan reloads, by name)
 * GET  /admin/  and  /admin/ui/admin.js, admin.css   the admin web page (WEB-INF/admin-ui in the archive)
 * </pre>
 * Errors are JSON too: {@code {"error": "..."}} with 400, 401, 403, 404, 405 or 409. A POST whose
 * {@code Origin} header names another site is refused (403): a browser that has the Basic
 * credentials cached would otherwise send them with another site's form.
 */
public final class AdminServlet extends HttpServlet {
    private static final long serialVersionUID = 1L;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String UI = "/WEB-INF/admin-ui/";

    private final transient ActiveDialPlan plans;
    private final transient PlanFile planFile;
    private final transient JsonCallLog callLog;
    private final transient AdminCredentials credentials;
    private final transient DestinationHealth health;
    private final transient CallCounts counts;

    /** @param planFile the file the plan came from, or null when the bundled plan serves */
    public AdminServlet(ActiveDialPlan plans, PlanFile planFile, JsonCallLog callLog, AdminCredentials credentials,
                        DestinationHealth health, CallCounts counts) {
        this.plans = plans;
        this.planFile = planFile;
        this.callLog = callLog;
        this.credentials = credentials;
        this.health = health;
        this.counts = counts;
    }

    @Override
    protected void service(HttpServletRequest request, HttpServletResponse response) throws IOException {
        if (!credentials.accepts(request.getHeader("Authorization"))) {
            response.setHeader("WWW-Authenticate", "Basic realm=\"dialroute admin\"");
            error(response, 401, "authentication required: HTTP Basic with the credentials in the admin credentials file");
            return;
        }
        String path = request.getPathInfo() == null ? "" : request.getPathInfo();
        String method = request.getMethod();
        if ("POST".equals(method) && !sameOrigin(request)) {
            error(response, 403, "cross-site request refused: the Origin header does not name this server");
            return;
        }
        switch (path) {
            case "" -> response.sendRedirect(request.getContextPath() + request.getServletPath() + "/");
            case "/" -> requireMethod(method, "GET", response, () -> page(response, "index.html"));
            case "/ui/admin.js", "/ui/admin.css" -> requireMethod(method, "GET", response, () -> page(response, path.substring(4)));
            case "/plan" -> requireMethod(method, "GET", response, () -> send(response, 200, planJson(plans.current())));
            case "/lookup" -> requireMethod(method, "GET", response, () -> lookup(request, response));
            case "/reload" -> requireMethod(method, "POST", response, () -> reload(request, response));
            case "/calllog" -> requireMethod(method, "POST", response, () -> callLog(request, response));
            case "/destinations" -> requireMethod(method, "GET", response, () -> send(response, 200, destinationsJson()));
            default -> {
                if (path.startsWith("/destinations/")) {
                    destination(path.substring("/destinations/".length()), method, request, response);
                } else {
                    error(response, 404, "no such admin resource '" + path + "'; use /plan, /lookup, /reload, /calllog or /destinations");
                }
            }
        }
    }

    /** One file of the admin web page, from WEB-INF/admin-ui (so nothing but this servlet, behind its login, serves it). */
    private void page(HttpServletResponse response, String name) throws IOException {
        byte[] body;
        try (InputStream in = getServletContext().getResourceAsStream(UI + name)) {
            if (in == null) {
                error(response, 404, "the archive lacks " + UI + name);
                return;
            }
            body = in.readAllBytes();
        }
        response.setStatus(200);
        response.setContentType(name.endsWith(".html") ? "text/html;charset=UTF-8"
                : name.endsWith(".js") ? "text/javascript;charset=UTF-8" : "text/css;charset=UTF-8");
        response.setHeader("Cache-Control", "no-cache");
        response.setHeader("X-Content-Type-Options", "nosniff");
        // Everything the page uses comes from this server; no framing (clickjacking).
        response.setHeader("Content-Security-Policy", "default-src 'self'; frame-ancestors 'none'; form-action 'self'");
        response.setContentLength(body.length);
        response.getOutputStream().write(body);
    }

    /** True without an Origin header (curl, scripts) or when it names the host the request was sent to. */
    private static boolean sameOrigin(HttpServletRequest request) {
        String origin = request.getHeader("Origin");
        String host = request.getHeader("Host");
        return origin == null || (host != null && origin.equalsIgnoreCase(request.getScheme() + "://" + host));
    }

    private void lookup(HttpServletRequest request, HttpServletResponse response) throws IOException {
        String number = request.getParameter("number");
        if (number == null || number.isBlank()) {
            error(response, 400, "'number' is required, e.g. /admin/lookup?number=9123");
            return;
        }
        Call call;
        Long seed;
        try {
            call = new Call(number, request.getParameter("caller"), address(request.getParameter("source")), instant(request.getParameter("at")));
            seed = request.getParameter("seed") == null ? null : Long.valueOf(request.getParameter("seed"));
        } catch (IllegalArgumentException e) {
            error(response, 400, e.getMessage());
            return;
        }
        response.setStatus(200);
        response.setContentType("application/json");
        response.getWriter().write(Explanations.json(plans.current(), call, seed, health));
    }

    private void reload(HttpServletRequest request, HttpServletResponse response) throws IOException {
        if (planFile == null) {
            error(response, 409, "the bundled sample plan is serving; there is no plan file to reload (set dialroute.plan)");
            return;
        }
        boolean dryRun = "true".equals(request.getParameter("dry-run"));
        DialPlan next;
        try {
            next = planFile.read();
        } catch (InvalidDialPlanException e) {
            response.setStatus(422);
            response.setContentType("application/json");
            response.getWriter().write(Explanations.problemsJson(plans.current().source(), e.problems()));
            return;
        }
        DialPlan serving = plans.current();
        ObjectNode o = JSON.createObjectNode();
        o.put("valid", true);
        o.put("dry_run", dryRun);
        o.put("serving_version", serving.version());
        o.put("new_version", next.version());
        ArrayNode changed = o.putArray("changed");
        String numbers = request.getParameter("numbers");
        if (numbers != null) {
            for (String n : numbers.split(",")) {
                String number = n.trim();
                if (number.isEmpty()) {
                    continue;
                }
                String before = summary(serving.lookup(number));
                String after = summary(next.lookup(number));
                if (!before.equals(after)) {
                    ObjectNode c = changed.addObject();
                    c.put("number", number);
                    c.put("before", before);
                    c.put("after", after);
                }
            }
        }
        if (!dryRun) {
            planFile.install(next);
        }
        o.put("in_service", plans.current().version());
        send(response, 200, o);
    }

    private void callLog(HttpServletRequest request, HttpServletResponse response) throws IOException {
        String enabled = request.getParameter("enabled");
        if (!"true".equals(enabled) && !"false".equals(enabled)) {
            error(response, 400, "'enabled' must be true or false");
            return;
        }
        callLog.setEnabled(Boolean.parseBoolean(enabled));
        if (Boolean.parseBoolean(enabled) && !callLog.isEnabled()) {
            error(response, 409, "no call log file is configured (set dialroute.calllog.file)");
            return;
        }
        ObjectNode o = JSON.createObjectNode();
        o.put("enabled", Boolean.parseBoolean(enabled));
        o.put("written", callLog.written());
        o.put("dropped", callLog.dropped());
        send(response, 200, o);
    }

    /** GET shows one destination; POST with enabled=true|false switches it. */
    private void destination(String name, String method, HttpServletRequest request, HttpServletResponse response) throws IOException {
        DialPlan plan = plans.current();
        if (!(plan.endpoints().get(name) instanceof Destination destination)) {
            List<String> known = destinations(plan).stream().map(Destination::name).toList();
            error(response, 404, "no destination named '" + name + "' in the plan in service"
                    + (known.isEmpty() ? "; it declares none" : "; declared are " + String.join(", ", known)));
            return;
        }
        if ("POST".equals(method)) {
            String enabled = request.getParameter("enabled");
            if (!"true".equals(enabled) && !"false".equals(enabled)) {
                error(response, 400, "'enabled' must be true or false, e.g. POST /admin/destinations/" + name + "?enabled=false");
                return;
            }
            health.setEnabled(name, Boolean.parseBoolean(enabled));
        } else if (!"GET".equals(method)) {
            response.setHeader("Allow", "GET, POST");
            error(response, 405, "use GET or POST here");
            return;
        }
        send(response, 200, destinationJson(JSON.createObjectNode(), destination, counts.destinations()));
    }

    private ObjectNode destinationsJson() {
        ObjectNode o = JSON.createObjectNode();
        o.put("version", plans.current().version());
        ArrayNode list = o.putArray("destinations");
        Map<String, CallCounts.DestinationCounts> all = counts.destinations();
        for (Destination d : destinations(plans.current())) {
            destinationJson(list.addObject(), d, all);
        }
        return o;
    }

    /** The plan's named destinations, by name. */
    private static List<Destination> destinations(DialPlan plan) {
        List<Destination> list = new ArrayList<>();
        for (Endpoint e : plan.endpoints().values()) {
            if (e instanceof Destination d) {
                list.add(d);
            }
        }
        list.sort(java.util.Comparator.comparing(Destination::name));
        return list;
    }

    /** Health (probe state) and the admin's switch side by side: both decide, and each has its own reason. */
    private ObjectNode destinationJson(ObjectNode o, Destination d, Map<String, CallCounts.DestinationCounts> all) {
        o.put("name", d.name());
        o.put("uri", d.target().uri());
        o.put("enabled", health.isEnabled(d.name()));
        o.put("probed", d.probed());
        ProbeState state = d.probed() ? health.state(d.name()) : null;
        o.put("health", !d.probed() ? "not probed" : state == null ? "unknown" : state.health().name().toLowerCase(Locale.ROOT));
        o.put("since", state == null ? null : state.since().toString());
        o.put("last_reply", state == null ? null : state.lastReply());
        o.put("last_probe", state == null || state.lastProbe() == null ? null : state.lastProbe().toString());
        if (state != null && state.latency() != null) {
            o.put("latency_ms", state.latency().toNanos() / 1e6);
        } else {
            o.putNull("latency_ms");
        }
        Availability.Unavailable why = health.check(d);
        o.put("gets_calls", why == null);
        if (d.probed()) {
            ObjectNode p = o.putObject("probe");
            p.put("interval_ms", d.probe().interval().toMillis());
            p.put("timeout_ms", d.probe().timeout().toMillis());
            p.put("down_after", d.probe().downAfter());
            p.put("up_after", d.probe().upAfter());
            ArrayNode accept = p.putArray("accept");
            d.probe().accepted().specs().forEach(accept::add);
        }
        CallCounts.DestinationCounts c = all.getOrDefault(d.name(), CallCounts.DestinationCounts.NONE);
        ObjectNode counters = o.putObject("counters");
        counters.put("attempts", c.attempts());
        ObjectNode responses = counters.putObject("responses");
        c.responses().forEach(responses::put);
        counters.put("failovers", c.failovers());
        return o;
    }

    /** One line for comparing decisions: action, status and where the call goes. */
    static String summary(Decision d) {
        StringBuilder s = new StringBuilder();
        Action a = d.action();
        if (a instanceof Action.Reject r) {
            s.append("reject ").append(r.status()).append(' ').append(r.phrase());
        } else if (a instanceof Action.RedirectTo r) {
            s.append("redirect ").append(r.status());
            d.hops().forEach(h -> s.append(' ').append(h.uri()).append(h.q() == null ? "" : ";q=" + h.q()));
        } else {
            s.append("proxy ").append(((Action.ProxyTo) a).strategy().toString().toLowerCase());
            d.hops().forEach(h -> s.append(' ').append(h.proxyUri()));
        }
        return s.toString();
    }

    /** A rule's action in one line, targets by name: "proxy sequential backup, pstn". */
    static String describe(Action action) {
        if (action instanceof Action.Reject r) {
            return "reject " + r.status() + " " + r.phrase();
        }
        if (action instanceof Action.RedirectTo r) {
            List<String> contacts = new ArrayList<>();
            for (Action.ContactSpec c : r.contacts()) {
                contacts.add(c.endpoint().name() + (c.q() == null ? "" : " q=" + c.q()));
            }
            return "redirect " + r.status() + " " + String.join(", ", contacts);
        }
        Action.ProxyTo p = (Action.ProxyTo) action;
        return "proxy " + p.strategy().toString().toLowerCase() + " " + names(p.targets(), p.strategy());
    }

    private ObjectNode planJson(DialPlan plan) {
        ObjectNode o = JSON.createObjectNode();
        o.put("source", plan.source());
        o.put("version", plan.version());
        ArrayNode rules = o.putArray("rules");
        for (Rule rule : plan.rules()) {
            ObjectNode r = rules.addObject();
            r.put("prefix", rule.prefix());
            r.put("line", rule.line());
            r.put("description", rule.description());
            r.put("conditions", rule.when().isAlways() ? null : rule.when().all().toString());
            r.put("rewrite", rule.rewrite().toString());
            r.put("action", describe(rule.action()));
            r.put("calls", counts.routed(rule));
        }
        ObjectNode destinations = o.putObject("destinations");
        for (Map.Entry<String, Endpoint> e : plan.endpoints().entrySet()) {
            destinations.put(e.getKey(), e.getValue() instanceof dialroute.dialplan.Destination d
                    ? d.target().uri() : "group: " + describeGroup((dialroute.dialplan.DestinationGroup) e.getValue()));
        }
        return o;
    }

    private static String describeGroup(dialroute.dialplan.DestinationGroup g) {
        return g.strategy().toString().toLowerCase() + " " + names(g.members(), g.strategy());
    }

    /** "a, b", or "a weight 70, b weight 30" when the weights matter. */
    private static String names(List<? extends dialroute.dialplan.Weighted<? extends Endpoint>> items, dialroute.dialplan.Strategy strategy) {
        List<String> names = new ArrayList<>();
        for (dialroute.dialplan.Weighted<? extends Endpoint> w : items) {
            names.add(w.item().name() + (strategy == dialroute.dialplan.Strategy.WEIGHTED ? " weight " + w.weight() : ""));
        }
        return String.join(", ", names);
    }

    private static InetAddress address(String text) {
        if (text == null || text.isBlank()) {
            return null;
        }
        // Literals only: a host name here would make the admin API do DNS lookups.
        return IpLiteral.parse(text).orElseThrow(
                () -> new IllegalArgumentException("'source' must be an IP address, was '" + text + "'"));
    }

    private static Instant instant(String text) {
        if (text == null || text.isBlank()) {
            return Instant.now();
        }
        try {
            return Instant.parse(text);
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException("'at' must be an ISO instant such as 2026-11-30T09:00:00Z, was '" + text + "'");
        }
    }

    private interface Handler {
        void run() throws IOException;
    }

    private static void requireMethod(String method, String allowed, HttpServletResponse response, Handler handler) throws IOException {
        if (!allowed.equals(method)) {
            response.setHeader("Allow", allowed);
            error(response, 405, "use " + allowed + " here");
            return;
        }
        handler.run();
    }

    private static void error(HttpServletResponse response, int status, String message) throws IOException {
        ObjectNode o = JSON.createObjectNode();
        o.put("error", message);
        send(response, status, o);
    }

    private static void send(HttpServletResponse response, int status, ObjectNode body) throws IOException {
        response.setStatus(status);
        response.setContentType("application/json");
        response.setCharacterEncoding("UTF-8");
        JSON.writerWithDefaultPrettyPrinter().writeValue(response.getWriter(), body);
    }
}
