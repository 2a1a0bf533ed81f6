package io.github.jettysqlite.sessions.internal.sqlite;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.jettysqlite.sessions.SQLiteFixture;
import io.github.jettysqlite.sessions.SQLiteSessionDataStore;
import io.github.jettysqlite.sessions.StoreFixture;
import io.github.jettysqlite.sessions.support.Waiting;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.session.SessionData;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Group commit: concurrent writes share transactions, each caller returns only once its write has committed. */
class GroupCommitWriterTest {
    @TempDir
    Path dir;

    private SQLiteFixture fixture;
    private SQLiteSessionDataStore store;
    private SQLiteInternals internals;
    private GroupCommitWriter writer;
    private ExecutorService pool;

    @BeforeEach
    void start() throws Exception {
        fixture = new SQLiteFixture(dir.resolve("group.db"));
        store = fixture.store();
        internals = SQLiteInternals.of(fixture.file());
        writer = internals.writer();
        pool = Executors.newFixedThreadPool(16);
    }

    @AfterEach
    void stop() throws Exception {
        pool.shutdownNow();
        pool.awaitTermination(10, TimeUnit.SECONDS);
        internals.close();
        fixture.close();
    }

    @Test
    void writesQueuedWhileTheWriterIsBusyCommitInOneTransaction() throws Exception {
        GroupCommitWriter.Counts before = writer.counts();
        List<Future<Object>> writes = new ArrayList<>();
        CountDownLatch release = holdWriter();
        for (int i = 0; i < 10; i++) {
            String id = "s" + i;
            writes.add(pool.submit(() -> {
                StoreFixture.put(store, StoreFixture.session(store, id, 0, StoreFixture.NODE));
                return null;
            }));
        }
        Waiting.until("ten writes queued", () -> writer.queued() == 10);
        release.countDown();
        for (Future<Object> write : writes) {
            write.get(Waiting.SECONDS, TimeUnit.SECONDS);
        }

        GroupCommitWriter.Counts after = writer.counts();
        assertThat(after.transactions() - before.transactions())
                .as("transactions")
                .isEqualTo(1);
        assertThat(after.writes() - before.writes()).as("writes").isEqualTo(10);
        assertThat(fixture.query("SELECT count(*) FROM jetty_sessions")).containsExactly(List.of(10));
    }

    @Test
    void aFailingWriteInABatchFailsAloneAndTheOthersCommit() throws Exception {
        CountDownLatch release = holdWriter();
        Future<Object> good1 = pool.submit(() -> writeRow("good1"));
        Waiting.until("the first good write queued", () -> writer.queued() == 1);
        Future<Object> bad = pool.submit(() -> writer.write(c -> {
            c.execute("INSERT INTO no_such_table VALUES (1)");
            return null;
        }));
        Waiting.until("the bad write queued", () -> writer.queued() == 2);
        Future<Object> good2 = pool.submit(() -> writeRow("good2"));
        Waiting.until("the second good write queued", () -> writer.queued() == 3);
        release.countDown();

        good1.get(Waiting.SECONDS, TimeUnit.SECONDS);
        good2.get(Waiting.SECONDS, TimeUnit.SECONDS);
        assertThat(catchFailure(bad)).isInstanceOf(SQLException.class).hasMessageContaining("no_such_table");
        assertThat(fixture.query("SELECT session_id FROM jetty_sessions ORDER BY session_id"))
                .containsExactly(List.of("good1"), List.of("good2"));
    }

    @Test
    void everyAcknowledgedStoreOfManyThreadsIsInTheFile() throws Exception {
        int threads = 16;
        int perThread = 50;
        List<Future<List<String>>> results = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int thread = t;
            results.add(pool.submit(() -> {
                List<String> acknowledged = new ArrayList<>();
                for (int i = 0; i < perThread; i++) {
                    String id = "t" + thread + "-" + i;
                    SessionData data =
                            StoreFixture.session(store, id, System.currentTimeMillis() + 60_000, StoreFixture.NODE);
                    data.setAttribute("n", i);
                    store.store(id, data);
                    // A separate connection must already see what store() acknowledged.
                    assertThat(fixture.query("SELECT count(*) FROM jetty_sessions WHERE session_id = ?", id))
                            .containsExactly(List.of(1));
                    acknowledged.add(id);
                }
                return acknowledged;
            }));
        }
        int total = 0;
        for (Future<List<String>> result : results) {
            for (String id : result.get(Waiting.SECONDS, TimeUnit.SECONDS)) {
                assertThat(store.load(id)).isNotNull();
                total++;
            }
        }

        assertThat(total).isEqualTo(threads * perThread);
        GroupCommitWriter.Counts counts = writer.counts();
        assertThat(counts.transactions()).isLessThanOrEqualTo(counts.writes());
    }

    private CountDownLatch holdWriter() {
        return SQLiteInternals.hold(writer, pool);
    }

    private Object writeRow(String id) throws Exception {
        StoreFixture.put(store, StoreFixture.session(store, id, 0, StoreFixture.NODE));
        return null;
    }

    private static Throwable catchFailure(Future<?> future) throws InterruptedException {
        try {
            future.get(Waiting.SECONDS, TimeUnit.SECONDS);
            return null;
        } catch (java.util.concurrent.ExecutionException e) {
            return e.getCause();
        } catch (java.util.concurrent.TimeoutException e) {
            throw new AssertionError("write did not finish", e);
        }
    }
}
