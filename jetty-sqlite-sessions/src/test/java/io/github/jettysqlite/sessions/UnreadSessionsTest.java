package io.github.jettysqlite.sessions;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.eclipse.jetty.http.HttpException;
import org.eclipse.jetty.session.UnreadableSessionDataException;
import org.junit.jupiter.api.Test;

/** The ids whose sessions an outage kept the coherent cache from reading, so that none gets a new session. */
class UnreadSessionsTest {
    private final UnreadSessions unread = new UnreadSessions();
    private final SessionDatabaseException outage = new SessionDatabaseException("cannot be reached", null);

    @Test
    void aNewSessionUnderAnIdTheDatabaseCouldNotReadIsRefusedWith503() {
        unread.failed("alice", new RuntimeException(outage));

        assertThatThrownBy(() -> unread.refuseNewSession("alice"))
                .isInstanceOf(HttpException.class)
                .extracting(e -> ((HttpException) e).getCode())
                .isEqualTo(503);
        assertThat(unread.refused()).isEqualTo(1);
    }

    @Test
    void anotherSessionReadAgainDoesNotForgetAnIdStillUnread() {
        unread.failed("alice", outage);

        unread.answered("bob");

        assertThat(unread.isUnread("alice")).isTrue();
        unread.answered("alice");
        assertThat(unread.isUnread("alice")).isFalse();
    }

    @Test
    void anUnreadableRowIsJettysToHandleNotAnOutage() {
        unread.failed("mallory", new UnreadableSessionDataException("mallory", null, outage));

        assertThat(unread.isUnread("mallory")).isFalse();
    }

    @Test
    void theIdsRememberedStayBoundedWhateverCookiesArrive() {
        for (int i = 0; i < UnreadSessions.MOST_IDS * 3; i++) {
            unread.failed("id" + i, outage);
        }

        assertThat(unread.isUnread("id" + (UnreadSessions.MOST_IDS * 3 - 1)))
                .as("the latest is kept")
                .isTrue();
        assertThat(unread.isUnread("id0")).as("the oldest went").isFalse();
    }
}
