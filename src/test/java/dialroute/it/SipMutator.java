package dialroute.it;

import gov.nist.javax.sip.header.MaxForwards;
import gov.nist.javax.sip.message.SIPMessage;
import gov.nist.javax.sip.message.SIPRequest;
import gov.nist.javax.sip.parser.StringMsgParser;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;

/**
 * Seeded mutations of valid INVITE, OPTIONS, BYE and REGISTER requests: header loss and
 * duplication, oversize values, bad Content-Length, bad CSeq, NUL bytes, invalid UTF-8, truncation,
 * thousands of headers, mangled start lines and oversize messages (the largest only over TCP).
 * Message {@code i} of seed {@code s} is the same on every run, whatever the threads do.
 *
 * <p>The top Via (which names where the answer goes) is never mutated except by loss or
 * truncation: a mangled host there would make the server look up a name in DNS, and the test must
 * send nothing off the host.
 */
final class SipMutator {
    /** One mutated request and what was done to it. */
    record Mutant(byte[] bytes, String template, List<String> mutations, boolean tcp) {
    }

    private static final String[] TEMPLATES = {"INVITE", "OPTIONS", "BYE", "REGISTER"};
    /** Dialled numbers of it-plan.yaml answered without a callee: redirect, reject, no route. */
    private static final String[] NUMBERS = {"8123", "00123", "2123"};

    private final long seed;

    SipMutator(long seed) {
        this.seed = seed;
    }

    Mutant mutant(long index, int localPort, boolean tcpAllowed) {
        Random random = new Random(seed * 1_000_003L + index);
        boolean tcp = tcpAllowed && random.nextBoolean();
        String template = TEMPLATES[random.nextInt(TEMPLATES.length)];
        List<String> lines = new ArrayList<>(List.of(template(template, random, localPort, tcp ? "TCP" : "UDP", index).split("\r\n", -1)));
        // lines: start line, headers..., "", body
        List<String> done = new ArrayList<>();
        int count = 1 + random.nextInt(3);
        List<Integer> byteDamage = new ArrayList<>();
        for (int m = 0; m < count; m++) {
            int kind = random.nextInt(14);
            int headers = headerCount(lines);
            switch (kind) {
                case 0 -> { // header loss (any header, the mandatory ones included)
                    int h = Math.min(lines.size() - 1, 1 + random.nextInt(headers));
                    done.add("lose " + name(lines.get(h)));
                    lines.remove(h);
                }
                case 1 -> { // header duplication, the copy's value sometimes different
                    int h = 2 + random.nextInt(Math.max(1, headers - 1));
                    String copy = random.nextBoolean() ? lines.get(h) : lines.get(h) + "x";
                    lines.add(1 + random.nextInt(headers), copy);
                    done.add("duplicate " + name(copy));
                }
                case 2 -> { // oversize value on a header other than the top Via
                    int h = 2 + random.nextInt(Math.max(1, headers - 1));
                    int size = 1 << (8 + random.nextInt(tcp ? 9 : 7));
                    lines.set(h, lines.get(h) + "a".repeat(size));
                    done.add("oversize " + name(lines.get(h)) + " +" + size);
                }
                case 3 -> { // bad Content-Length
                    String[] values = {"-1", "99999", "abc", "", "1099511627776", "5", "0 0", "+3"};
                    String value = values[random.nextInt(values.length)];
                    replaceHeader(lines, "Content-Length", "Content-Length: " + value);
                    done.add("Content-Length '" + value + "'");
                }
                case 4 -> { // bad CSeq
                    String[] values = {"abc " + template, "-1 " + template, "99999999999999999999 " + template, "1",
                            "1 FOO", "", "4294967296 " + template, "1 " + template + " extra"};
                    String value = values[random.nextInt(values.length)];
                    replaceHeader(lines, "CSeq", "CSeq: " + value);
                    done.add("CSeq '" + value + "'");
                }
                case 5 -> { // thousands of headers
                    int n = tcp ? 1000 + random.nextInt(9000) : 500 + random.nextInt(2500);
                    List<String> extra = new ArrayList<>(n);
                    for (int i = 0; i < n; i++) {
                        extra.add("X-Fuzz-" + i + ": " + i);
                    }
                    lines.addAll(2, extra);
                    done.add(n + " extra headers");
                }
                case 6 -> { // oversize message: a big body (up to 512 KB over TCP, 48 KB over UDP)
                    int size = tcp ? 1024 * (1 + random.nextInt(512)) : 1024 * (1 + random.nextInt(48));
                    lines.set(lines.size() - 1, "b".repeat(size));
                    replaceHeader(lines, "Content-Length", "Content-Length: " + size);
                    done.add("body " + size + " bytes");
                }
                case 7 -> { // mangled start line
                    String[] starts = {template + " sip:8123@127.0.0.1:5180 SIP/3.0", template + "  sip:8123@127.0.0.1:5180 SIP/2.0",
                            template + " <sip:8123@127.0.0.1:5180> SIP/2.0", "sip:8123@127.0.0.1:5180 SIP/2.0",
                            template + " sip:8123@127.0.0.1:5180", "", template.toLowerCase(Locale.ROOT) + " sip:8123@127.0.0.1:5180 SIP/2.0",
                            template + " ht%tp://x SIP/2.0", "SIP/2.0 200 OK"};
                    String start = starts[random.nextInt(starts.length)];
                    lines.set(0, start);
                    done.add("start line '" + start + "'");
                }
                case 8 -> { // header name without colon, or an empty name
                    int h = 2 + random.nextInt(Math.max(1, headers - 1));
                    String line = lines.get(h);
                    lines.set(h, random.nextBoolean() ? line.replaceFirst(":", "") : line.replaceFirst("^[^:]*", ""));
                    done.add("break " + name(line));
                }
                default -> byteDamage.add(kind); // applied to the bytes, after the text mutations
            }
        }
        byte[] raw = String.join("\r\n", lines).getBytes(StandardCharsets.UTF_8);
        for (int kind : byteDamage) {
            int protect = viaEnd(raw);
            if (kind == 9) { // NUL bytes
                int at = protect + random.nextInt(Math.max(1, raw.length - protect));
                raw = insert(raw, at, new byte[random.nextInt(4) + 1]);
                done.add("NUL at " + at);
            } else if (kind == 10) { // invalid UTF-8
                byte[][] bad = {{(byte) 0xC3, 0x28}, {(byte) 0xFF}, {(byte) 0xED, (byte) 0xA0, (byte) 0x80},
                        {(byte) 0xF8, (byte) 0x88, (byte) 0x80, (byte) 0x80, (byte) 0x80}, {(byte) 0xC0, (byte) 0xAF}};
                int at = protect + random.nextInt(Math.max(1, raw.length - protect));
                raw = insert(raw, at, bad[random.nextInt(bad.length)]);
                done.add("invalid UTF-8 at " + at);
            } else if (kind == 11) { // truncation
                int at = random.nextInt(raw.length + 1);
                byte[] cut = new byte[at];
                System.arraycopy(raw, 0, cut, 0, at);
                raw = cut;
                done.add("truncate at " + at);
            } else { // random bytes flipped, outside the top Via
                int flips = 1 + random.nextInt(8);
                for (int f = 0; f < flips && raw.length > protect; f++) {
                    raw[protect + random.nextInt(raw.length - protect)] = (byte) random.nextInt(256);
                }
                done.add(flips + " bytes flipped");
            }

        }
        return new Mutant(raw, template, done, tcp);
    }

    private static String template(String method, Random random, int localPort, String transport, long index) {
        String number = NUMBERS[random.nextInt(NUMBERS.length)];
        String uri = method.equals("REGISTER") ? "sip:127.0.0.1:5180" : "sip:" + number + "@127.0.0.1:5180";
        String tag = Long.toHexString(random.nextLong());
        String body = method.equals("INVITE")
                ? "v=0\r\no=fuzz 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 4000 RTP/AVP 0\r\n" : "";
        return method + " " + uri + " SIP/2.0\r\n"
                + "Via: SIP/2.0/" + transport + " 127.0.0.1:" + localPort + ";branch=z9hG4bKfuzz" + Long.toHexString(random.nextLong()) + index + "\r\n"
                + "Max-Forwards: 70\r\n"
                + "From: <sip:fuzz@127.0.0.1:" + localPort + ">;tag=" + tag + "\r\n"
                + "To: <" + uri + ">" + (method.equals("BYE") ? ";tag=" + Long.toHexString(random.nextLong()) : "") + "\r\n"
                + "Call-ID: fuzz-" + Long.toHexString(random.nextLong()) + "@127.0.0.1\r\n"
                + "CSeq: " + (1 + random.nextInt(1000)) + " " + method + "\r\n"
                + "Contact: <sip:fuzz@127.0.0.1:" + localPort + ";transport=" + transport.toLowerCase(Locale.ROOT) + ">\r\n"
                + (method.equals("INVITE") ? "Content-Type: application/sdp\r\n" : "")
                + "Content-Length: " + body.getBytes(StandardCharsets.UTF_8).length + "\r\n"
                + "\r\n"
                + body;
    }

    /** Header lines: between the start line and the empty line before the body. */
    private static int headerCount(List<String> lines) {
        int blank = lines.indexOf("");
        return Math.max(1, (blank < 0 ? lines.size() : blank) - 1);
    }

    private static String name(String line) {
        int colon = line.indexOf(':');
        return colon < 0 ? "'" + line.substring(0, Math.min(20, line.length())) + "'" : line.substring(0, colon).trim();
    }

    private static void replaceHeader(List<String> lines, String header, String replacement) {
        for (int i = 1; i < lines.size() && !lines.get(i).isEmpty(); i++) {
            if (lines.get(i).regionMatches(true, 0, header + ":", 0, header.length() + 1)) {
                lines.set(i, replacement);
                return;
            }
        }
        lines.add(1, replacement);
    }

    /** Where the first Via line ends (0 when there is none): byte damage stays behind it. */
    private static int viaEnd(byte[] raw) {
        String text = new String(raw, StandardCharsets.ISO_8859_1);
        int via = text.indexOf("\r\nVia:");
        if (via < 0) {
            return 0;
        }
        int end = text.indexOf("\r\n", via + 2);
        return end < 0 ? raw.length : end;
    }

    private static byte[] insert(byte[] raw, int at, byte[] what) {
        byte[] out = new byte[raw.length + what.length];
        System.arraycopy(raw, 0, out, 0, at);
        System.arraycopy(what, 0, out, at, what.length);
        System.arraycopy(raw, at, out, at + what.length, raw.length - at);
        return out;
    }
}
