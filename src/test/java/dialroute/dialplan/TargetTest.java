package dialroute.dialplan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class TargetTest {

    @ParameterizedTest(name = "{0}")
    @CsvSource({
            "sip:127.0.0.1:5090,                  127.0.0.1,        5090",
            "sip:pbx.example.net,                 pbx.example.net,  -1",
            "sip:pbx.example.net;transport=tcp,   pbx.example.net,  -1",
            "SIP:[::1]:5060;transport=UDP;lr,     [::1],            5060",
            "sips:trunk.example.com:5061,         trunk.example.com, 5061",
    })
    void parsesSipUrisWithoutUserPart(String text, String host, int port) {
        Target target = Target.parse(text);
        assertEquals(host, target.host());
        assertEquals(port, target.port());
        assertEquals(text, target.uri());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            // a tel: URI names no server to send to
            "tel:+4930123 | target 'tel:+4930123' is not a SIP URI (expected e.g. sip:192.0.2.10:5060)",
            // the number goes in the user part; a fixed user would overwrite it
            "sip:bob@127.0.0.1 | target 'sip:bob@127.0.0.1' has a user part; leave it out, the dialled number goes there",
            "sip:127.0.0.1:70000 | target 'sip:127.0.0.1:70000' has port 70000, outside 1-65535",
            "sip:127.0.0.1:5060;transport=sctp | target 'sip:127.0.0.1:5060;transport=sctp' has transport 'sctp'; use udp, tcp or tls",
            // a space is not allowed in a host name
            "sip:pbx example | target 'sip:pbx example' is not a SIP URI (expected e.g. sip:192.0.2.10:5060)",
            "127.0.0.1:5060 | target '127.0.0.1:5060' is not a SIP URI (expected e.g. sip:192.0.2.10:5060)",
    })
    void refusesWhatIsNotAUsableSipUri(String text, String message) {
        assertEquals(message, assertThrows(IllegalArgumentException.class, () -> Target.parse(text)).getMessage());
    }
}
