package dialroute.dialplan;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class IpLiteralTest {

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', value = {
            "192.0.2.1          | 192.0.2.1",
            "2001:db8::7        | 2001:db8:0:0:0:0:0:7",
            "::1                | 0:0:0:0:0:0:0:1",
            "256.0.0.1          | none",   // an octet over 255
            "10.1               | none",   // short forms are not written by anyone on purpose
            "pbx.example.com    | none",   // a host name would need DNS
            "abc                | none",   // hex letters without a colon are a name, not IPv6
            "[::1]              | none",   // brackets belong to URIs, not to the literal
    })
    void parsesLiteralsAndNothingThatNeedsALookup(String text, String expected) {
        assertEquals(expected, IpLiteral.parse(text).map(a -> a.getHostAddress()).orElse("none"));
    }

    @ParameterizedTest(name = "host {0} -> {1}")
    @CsvSource(delimiter = '|', value = {
            "192.0.2.1          | 192.0.2.1",
            "[::1]              | 0:0:0:0:0:0:0:1",   // an IPv6 host as a SIP URI writes it
            "::1                | 0:0:0:0:0:0:0:1",
            "[192.0.2.1]        | none",               // brackets belong to IPv6 only
            "[pbx.example.com]  | none",
            "pbx.example.com    | none",
            "[::1               | none",
    })
    void parsesUriHostsWithBracketsAroundIpv6Only(String text, String expected) {
        assertEquals(expected, IpLiteral.parseHost(text).map(a -> a.getHostAddress()).orElse("none"));
    }
}
