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

    @ParameterizedTest(name = "{0} -> {1} turns {2} into {3}")
    @CsvSource(delimiter = '|', value = {
            "3(\\d+)        | +44$1   | 3201      | +44201",
            "3(\\d+)        | +44$1   | 4201      | 4201",      // no match: unchanged
            "0(\\d)(\\d+) | +49$1$2 | 030123    | +4930123",
            "(\\d{3})\\d* | $1      | 1234567   | 123",       // keep the first three digits
    })
    void translatesByRegexWhenTheWholeNumberMatches(String match, String replace, String number, String expected) {
        assertEquals(expected, new NumberRewrite(0, "", NumberRewrite.Translation.of(match, replace)).apply(number));
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', value = {
            "3(\\d+  | +44$1 | regex '3(\\d+' does not compile: Unclosed group at index 5",
            "3(\\d+) | +44$2 | replacement '+44$2' uses $2 but regex '3(\\d+)' has 1 group",
            "3\\d+   | +44$1 | replacement '+44$1' uses $1 but regex '3\\d+' has 0 groups",
            "3(\\d+) | x$1   | replacement 'x$1' holds characters other than 0-9 * # + and $1..$9",
    })
    void refusesTranslationsThatCannotWork(String match, String replace, String message) {
        assertEquals(message, assertThrows(IllegalArgumentException.class, () -> NumberRewrite.Translation.of(match, replace)).getMessage());
    }

    @ParameterizedTest
    @CsvSource({"-1, ''", "0, 12a"})
    void refusesNegativeStripAndNonDialPrepend(int strip, String prepend) {
        assertThrows(IllegalArgumentException.class, () -> new NumberRewrite(strip, prepend));
    }
}
