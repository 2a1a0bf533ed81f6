package io.github.jettysqlite.sessions.postgresql.internal;

import static io.github.jettysqlite.sessions.postgresql.internal.NotificationSightings.Receiver.ROUND_TRIPS;
import static io.github.jettysqlite.sessions.postgresql.internal.NotificationSightings.Receiver.WATCH;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class NotificationSightingsTest {
    private final NotificationSightings sightings = new NotificationSightings();

    @Test
    void aNotificationBothConnectionsReceiveCountsOnceWhicheverComesFirst() {
        assertThat(sightings.firstSighting("n#1", WATCH)).isTrue();
        assertThat(sightings.firstSighting("n#1", ROUND_TRIPS)).isFalse();
        assertThat(sightings.firstSighting("n#2", ROUND_TRIPS)).isTrue();
        assertThat(sightings.firstSighting("n#2", WATCH)).isFalse();
        assertThat(sightings.remembered())
                .as("names seen by both are forgotten")
                .isZero();
    }

    @Test
    void aNameOneConnectionSeesAgainCountsAgain() {
        // A statement sent again after a failure that may have committed: more reads, never fewer.
        assertThat(sightings.firstSighting("n#3", ROUND_TRIPS)).isTrue();
        assertThat(sightings.firstSighting("n#3", ROUND_TRIPS)).isTrue();
        assertThat(sightings.firstSighting("n#3", WATCH)).isFalse();
        assertThat(sightings.firstSighting("n#3", WATCH)).isTrue();
    }

    @Test
    void namesOnlyOneConnectionSawAreForgottenOldestFirstAndThenCountAgain() {
        for (int i = 0; i <= NotificationSightings.REMEMBERED; i++) {
            assertThat(sightings.firstSighting("n#" + i, WATCH)).isTrue();
        }
        assertThat(sightings.remembered()).isEqualTo(NotificationSightings.REMEMBERED);
        assertThat(sightings.firstSighting("n#1", ROUND_TRIPS))
                .as("remembered: counted already")
                .isFalse();
        assertThat(sightings.firstSighting("n#0", ROUND_TRIPS))
                .as("forgotten: counted again")
                .isTrue();
    }
}
