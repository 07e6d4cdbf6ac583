package dialroute.dialplan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class NumberRewriteTest {

    @ParameterizedTest(name = "strip {1} prepend ''{2}'' turns {0} into ''{3}''")
    @CsvSource({
            "9123,   0, '',   9123",
            "9123,   1, '',   123",
            "90123,  2, +44,  +44123",
            "0123,   1, +49,  +49123",
            "123,    0, 0,    0123",
            "9,      1, '',   ''",   // nothing left: the caller has not dialled enough
            "9,      5, +49,  ''",   // nothing left, so nothing is prepended either
    })
    void stripsThenPrepends(String number, int strip, String prepend, String expected) {
        assertEquals(expected, new NumberRewrite(strip, prepend).apply(number));
    }

    @ParameterizedTest
    @CsvSource({"-1, ''", "0, 12a"})
    void refusesNegativeStripAndNonDialPrepend(int strip, String prepend) {
        assertThrows(IllegalArgumentException.class, () -> new NumberRewrite(strip, prepend));
    }
}
