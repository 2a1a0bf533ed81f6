package io.github.jettysqlite.sessions.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.SQLException;
import org.junit.jupiter.api.Test;

/** Changes not announced are all counted, and said in the log once per run of them. */
class OutageWatchTest {
    private static final SQLException FULL = new SQLException("too many notifications in the NOTIFY queue", "54000");

    @Test
    void onlyTheFirstChangeNotAnnouncedOfARunIsSaidAndEveryOneIsCounted() {
        OutageWatch watch = new OutageWatch("test database");
        assertThat(watch.changeNotAnnounced(FULL)).isTrue();
        for (int i = 0; i < 5; i++) {
            assertThat(watch.changeNotAnnounced(FULL))
                    .as("change %d of the same run", i + 2)
                    .isFalse();
        }
        assertThat(watch.changesNotAnnounced()).isEqualTo(6);
    }

    @Test
    void aChangeAnnouncedEndsTheRunButNotTheCount() {
        OutageWatch watch = new OutageWatch("test database");
        watch.changeAnnounced();
        assertThat(watch.changeNotAnnounced(FULL)).isTrue();
        watch.changeNotAnnounced(FULL);
        watch.changeAnnounced();
        assertThat(watch.changeNotAnnounced(FULL)).as("a new run is said again").isTrue();
        assertThat(watch.changesNotAnnounced()).isEqualTo(3);
    }
}
