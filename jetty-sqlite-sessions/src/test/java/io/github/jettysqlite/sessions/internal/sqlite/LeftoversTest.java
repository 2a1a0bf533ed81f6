package io.github.jettysqlite.sessions.internal.sqlite;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class LeftoversTest {
    private static final long GRACE = 1_000;

    @Test
    void aRowFoundAgainAsItWasKeepsItsFirstFindingAndOneThatMovedOnTakesTheNewOne() {
        Leftovers first =
                Leftovers.of(List.of(new Leftovers.Leftover(1, 7, 10, 9, 0), new Leftovers.Leftover(2, 7, 4, 3, 0)));

        Leftovers again = first.plus(List.of(
                new Leftovers.Leftover(1, 7, 10, 9, 500), // as it was: still due a grace after its first finding
                new Leftovers.Leftover(2, 7, 6, 5, 500), // moved on: the earlier finding would no longer match
                new Leftovers.Leftover(3, 7, 1, 0, 500)));

        assertThat(again.found())
                .containsExactly(
                        new Leftovers.Leftover(1, 7, 10, 9, 0),
                        new Leftovers.Leftover(2, 7, 6, 5, 500),
                        new Leftovers.Leftover(3, 7, 1, 0, 500));
        assertThat(again.found().get(0).isDue(GRACE, GRACE)).isTrue();
        assertThat(again.found().get(1).isDue(GRACE, GRACE)).isFalse();
        assertThat(again.anyDue(GRACE, GRACE)).isTrue();
        assertThat(Leftovers.NONE.plus(List.of())).isSameAs(Leftovers.NONE);
    }
}
