package dialroute.dialplan;

/**
 * A server calls go to, declared once and named, or written inline in a rule (then its name is
 * its URI). A destination may rewrite the number in its own way: a carrier may want its own prefix.
 *
 * @param probe how its health is checked with OPTIONS, or null when it is not probed (the default)
 */
public record Destination(String name, Target target, NumberRewrite rewrite, Probe probe) implements Endpoint {

    public Destination(String name, Target target, NumberRewrite rewrite) {
        this(name, target, rewrite, null);
    }

    public static Destination inline(Target target) {
        return new Destination(target.uri(), target, NumberRewrite.NONE);
    }

    public boolean probed() {
        return probe != null;
    }
}
