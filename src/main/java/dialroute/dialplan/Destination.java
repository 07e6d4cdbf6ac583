package dialroute.dialplan;

/**
 * A server calls go to, declared once and named, or written inline in a rule (then its name is
 * its URI). A destination may rewrite the number in its own way: a carrier may want its own prefix.
 */
public record Destination(String name, Target target, NumberRewrite rewrite) implements Endpoint {

    public static Destination inline(Target target) {
        return new Destination(target.uri(), target, NumberRewrite.NONE);
    }
}
