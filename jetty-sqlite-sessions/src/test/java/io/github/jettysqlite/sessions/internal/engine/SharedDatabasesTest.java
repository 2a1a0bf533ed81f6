package io.github.jettysqlite.sessions.internal.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.jettysqlite.sessions.internal.SessionDatabase;
import io.github.jettysqlite.sessions.internal.SqlWork;
import io.github.jettysqlite.sessions.internal.TableUse;
import io.github.jettysqlite.sessions.internal.table.SessionSchema;
import io.github.jettysqlite.sessions.internal.table.SessionTable;
import io.github.jettysqlite.sessions.internal.table.SqlDialect;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The registry of open databases: closing one never holds up opening or closing another. */
class SharedDatabasesTest {
    private final SharedDatabases<String, SlowClosing> registry = new SharedDatabases<>();
    private final SessionSchema schema = SessionSchema.of(new SessionTable("jetty_sessions", SqlDialect.SQLITE));

    @Test
    void aDatabaseClosingSlowlyDoesNotBlockAnotherAcquire() throws Exception {
        // Threads of the test's own: the common pool may have a single thread on two cores, which the close holds.
        ExecutorService threads = Executors.newFixedThreadPool(2);
        SharedDatabases.Lease<SlowClosing> first = acquire("first");
        CompletableFuture<Void> closing = CompletableFuture.runAsync(first::close, threads);
        SlowClosing database = first.database();
        assertThat(database.closeStarted.await(10, TimeUnit.SECONDS)).isTrue();
        try {
            CompletableFuture<SharedDatabases.Lease<SlowClosing>> other =
                    CompletableFuture.supplyAsync(() -> acquireQuietly("second"), threads);

            assertThat(other.get(10, TimeUnit.SECONDS).database()).isNotSameAs(database);
            assertThat(registry.isOpen("first"))
                    .as("gone from the registry while it closes")
                    .isFalse();
        } finally {
            database.mayFinishClosing.countDown();
        }
        closing.get(10, TimeUnit.SECONDS);
        threads.shutdown();
    }

    private SharedDatabases.Lease<SlowClosing> acquire(String key) throws Exception {
        return registry.acquire(key, k -> new SlowClosing(), open -> {}, schema, TableUse.INSPECT);
    }

    private SharedDatabases.Lease<SlowClosing> acquireQuietly(String key) {
        try {
            return acquire(key);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** A database whose close waits for the test; its reads do nothing. */
    static final class SlowClosing implements SessionDatabase {
        final CountDownLatch closeStarted = new CountDownLatch(1);
        final CountDownLatch mayFinishClosing = new CountDownLatch(1);

        @Override
        public <R> R write(SqlWork<R> work) {
            return null;
        }

        @Override
        public <R> R read(SqlWork<R> work) {
            return null;
        }

        @Override
        public String location() {
            return "slow";
        }

        @Override
        public void close() {
            closeStarted.countDown();
            try {
                mayFinishClosing.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
