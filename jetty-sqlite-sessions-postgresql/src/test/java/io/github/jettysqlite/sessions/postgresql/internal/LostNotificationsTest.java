package io.github.jettysqlite.sessions.postgresql.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.SQLException;
import org.junit.jupiter.api.Test;

/** A run of lost notifications is said once, counted, and said again only after one went through. */
class LostNotificationsTest {
    private static final String WHERE = "test server";
    private static final SQLException FULL = new SQLException("too many notifications in the NOTIFY queue", "54000");

    @Test
    void onlyTheFirstLossOfARunIsSaid() {
        LostNotifications lost = new LostNotifications();
        assertThat(lost.lost(WHERE, FULL)).isTrue();
        for (int i = 0; i < 5; i++) {
            assertThat(lost.lost(WHERE, FULL))
                    .as("loss %d of the same run", i + 2)
                    .isFalse();
        }
        assertThat(lost.sinceLastSent()).isEqualTo(6);
    }

    @Test
    void aNotificationThatGoesThroughEndsTheRun() {
        LostNotifications lost = new LostNotifications();
        lost.sent(WHERE);
        assertThat(lost.lost(WHERE, FULL)).isTrue();
        lost.lost(WHERE, FULL);
        lost.sent(WHERE);
        assertThat(lost.sinceLastSent()).isZero();
        assertThat(lost.lost(WHERE, FULL)).as("a new run is said again").isTrue();
    }
}
