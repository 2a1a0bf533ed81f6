package io.github.jettysqlite.sessions.postgresql.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyString;
import static org.mockito.Mockito.doAnswer;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.when;

import io.github.jettysqlite.sessions.support.Waiting;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.postgresql.core.BaseConnection;

/**
 * A round trip whose answer never comes while the connection stays busy (a server sending notification after
 * notification ahead of it, which anyone who may connect can make it do, so no read timeout fires) is ended by
 * aborting its connection, and the request thread running it goes on. The connection is a stand-in whose round trip
 * reads until it is aborted: a real server cannot be made to flood at will on a shared machine.
 */
class ChangeListenerStuckRoundTripTest {
    /** One stand-in connection per connect, in order. */
    private final List<EndlessConnection> connections = new CopyOnWriteArrayList<>();

    private final ChangeListener listener =
            new ChangeListener(this::connect, "stuck_test", payload -> {}, "a stand-in server");

    @AfterEach
    void close() {
        listener.close();
        connections.forEach(c -> c.aborted.countDown());
    }

    @Test
    void aRoundTripThatNeverEndsHasItsConnectionAbortedAndItsThreadGoesOn() throws Exception {
        listener.start();
        Waiting.until("the listener connected", () -> listener.generation() != 0);
        long generation = listener.generation();
        EndlessConnection first = connections.get(0);
        first.endless = true;

        // A request's round trip: its answer never comes.
        CompletableFuture<Long> request = CompletableFuture.supplyAsync(listener::caughtUp);
        Waiting.await(first.roundTripBegun, "the request's round trip began");

        // Nobody else asks: the keeping thread, waiting as a caller does, finds it stuck and aborts its connection.
        Waiting.await(first.aborted, "the stuck round trip's connection aborted");
        assertThat(request.get(Waiting.SECONDS, TimeUnit.SECONDS))
                .as("the request's thread is told nothing is known, and reads its row")
                .isZero();
        Waiting.until(
                "a new connection, a new generation",
                () -> connections.size() > 1 && listener.generation() != 0 && listener.generation() != generation);
    }

    private Connection connect() throws SQLException {
        EndlessConnection c = new EndlessConnection();
        connections.add(c);
        return c.connection;
    }

    /** A connection that listens, answers its first question, and then, once {@code endless}, never answers. */
    private static final class EndlessConnection {
        final CountDownLatch roundTripBegun = new CountDownLatch(1);
        final CountDownLatch aborted = new CountDownLatch(1);
        volatile boolean endless;
        final Connection connection = mock(Connection.class);

        EndlessConnection() throws SQLException {
            when(connection.isWrapperFor(BaseConnection.class)).thenReturn(false);
            PGConnection driver = mock(PGConnection.class);
            when(driver.getNotifications()).thenReturn(new PGNotification[0]);
            when(connection.unwrap(PGConnection.class)).thenReturn(driver);
            when(connection.createStatement()).thenReturn(mock(Statement.class));
            PreparedStatement askPid = mock(PreparedStatement.class);
            when(connection.prepareStatement(anyString())).thenReturn(askPid);
            when(askPid.executeQuery()).thenAnswer(ask -> {
                if (endless) {
                    roundTripBegun.countDown();
                    // The driver reading notification after notification ahead of the answer, until the socket goes.
                    aborted.await();
                    throw new SQLException("An I/O error occurred while sending to the backend.", "08006");
                }
                ResultSet pid = mock(ResultSet.class);
                when(pid.next()).thenReturn(true);
                when(pid.getInt(1)).thenReturn(4242);
                return pid;
            });
            doAnswer(abort -> {
                        aborted.countDown();
                        return null;
                    })
                    .when(connection)
                    .abort(any());
        }
    }
}
