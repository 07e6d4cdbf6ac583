package dialroute.sipstack;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.Test;

class RecentAnswersTest {
    private static final String[] REDIRECT = {"302", "Moved Temporarily", "", "sip:8123@127.0.0.1:5091", "", ""};

    @Test
    void aCopyWithinTheAgeGetsTheRememberedAnswer() {
        RecentAnswers recent = new RecentAnswers(4, 32_000);
        recent.remember("z9hg4bk1", REDIRECT, 1_000);

        assertArrayEquals(REDIRECT, recent.find("z9hg4bk1", 33_000));
        assertNull(recent.find("z9hg4bk1", 33_001), "older than the age: decided again");
        assertNull(recent.find("z9hg4bk2", 1_000));
    }

    @Test
    void theOldestIsForgottenWhenFullSoTheMemoryHasABound() {
        RecentAnswers recent = new RecentAnswers(2, Long.MAX_VALUE);
        recent.remember("a", REDIRECT, 0);
        recent.remember("b", REDIRECT, 0);
        recent.remember("c", REDIRECT, 0);

        assertNull(recent.find("a", 0));
        assertArrayEquals(REDIRECT, recent.find("b", 0));
        assertArrayEquals(REDIRECT, recent.find("c", 0));
        assertEquals(2, recent.size());
    }

    @Test
    void rememberingTheSameTransactionTwiceTakesOneSlot() {
        RecentAnswers recent = new RecentAnswers(2, Long.MAX_VALUE);
        recent.remember("a", REDIRECT, 0);
        recent.remember("a", REDIRECT, 1);
        recent.remember("b", REDIRECT, 2);

        assertArrayEquals(REDIRECT, recent.find("a", 2));
        assertEquals(2, recent.size());
    }
}
