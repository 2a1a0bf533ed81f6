package io.github.jettysqlite.sessions;

import static io.github.jettysqlite.sessions.StoreFixture.NODE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.jettysqlite.sessions.admin.Progress;
import io.github.jettysqlite.sessions.internal.table.SessionTable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.eclipse.jetty.session.SessionData;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Backups of a live file: they finish while Jetty writes, hold what was committed, and never hit the file itself. */
class OnlineBackupTest {
    private static final long HOUR = 3_600_000;

    @TempDir
    Path dir;

    @Test
    void backupOfAFiftyMegabyteFileFinishesWhileAWriterCommitsContinuously() throws Exception {
        try (SQLiteFixture fixture = new SQLiteFixture(dir.resolve("sessions.db"))) {
            SQLiteSessionDataStore store = fixture.store();
            SessionData seed = StoreFixture.session(store, "seed", System.currentTimeMillis() + HOUR, NODE);
            seed.setAttribute("payload", new byte[10_000]);
            StoreFixture.put(store, seed);
            // Bulk rows copy the seed's attributes: 5,000 rows of 10 kB make the file larger than 50 MB.
            fixture.update("WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 5000)"
                    + " INSERT INTO jetty_sessions (" + String.join(", ", SessionTable.COLUMNS) + ")"
                    + " SELECT 'bulk' || i, context_path, virtual_host, last_node, created_ms,"
                    + " accessed_ms, last_accessed_ms, cookie_set_ms, last_saved_ms, max_inactive_ms, expires_at,"
                    + " attributes FROM n, jetty_sessions WHERE session_id = 'seed'");
            assertThat(Files.size(fixture.file())).isGreaterThan(50_000_000L);

            AtomicBoolean writing = new AtomicBoolean(true);
            AtomicLong committed = new AtomicLong();
            Thread writer = new Thread(() -> {
                while (writing.get()) {
                    try {
                        StoreFixture.put(
                                store,
                                StoreFixture.session(
                                        store, "w" + committed.get(), System.currentTimeMillis() + HOUR, NODE));
                        committed.incrementAndGet();
                        Thread.sleep(2);
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                }
            });
            writer.start();
            try {
                while (committed.get() < 100) {
                    Thread.sleep(1);
                }
                long committedBefore = committed.get();
                AtomicInteger progressCalls = new AtomicInteger();
                Path backup = dir.resolve("backup.db");

                long start = System.nanoTime();
                store.admin().backup(backup, false, (done, total) -> progressCalls.incrementAndGet());
                long elapsedMs = (System.nanoTime() - start) / 1_000_000;

                long commitsDuring = committed.get() - committedBefore;
                System.out.printf(
                        "backup of %d MB: %d ms, %d commits meanwhile, %d progress reports%n",
                        Files.size(fixture.file()) / 1_000_000, elapsedMs, commitsDuring, progressCalls.get());
                assertThat(elapsedMs).isLessThan(30_000);
                assertThat(commitsDuring).as("the writer kept committing").isPositive();
                assertThat(progressCalls).hasValueGreaterThan(10);
                try (SQLiteFixture copy = new SQLiteFixture(backup)) {
                    assertThat(copy.query("PRAGMA integrity_check")).containsExactly(List.of("ok"));
                    Set<String> ids = new HashSet<>();
                    for (List<Object> row : copy.query("SELECT session_id FROM jetty_sessions")) {
                        ids.add((String) row.get(0));
                    }
                    for (long i = 0; i < committedBefore; i++) {
                        assertThat(ids).contains("w" + i);
                    }
                    assertThat(ids).contains("bulk1", "bulk5000", "seed");
                    assertThat(((byte[]) copy.store().load("seed").getAttribute("payload")))
                            .hasSize(10_000);
                }
            } finally {
                writing.set(false);
                writer.join();
            }
        }
    }

    @Test
    void backupOntoTheDatabaseThroughALinkIsRefusedAndAnExistingFileKeptUnlessAsked() throws Exception {
        try (SQLiteFixture fixture = new SQLiteFixture(dir.resolve("sessions.db"))) {
            SQLiteSessionDataStore store = fixture.store();
            StoreFixture.put(store, StoreFixture.session(store, "s1", System.currentTimeMillis() + HOUR, NODE));
            Path symlink = Files.createSymbolicLink(dir.resolve("link.db"), fixture.file());
            Path hardLink = Files.createLink(dir.resolve("hard.db"), fixture.file());
            Path wal = dir.resolve("sessions.db-wal");

            for (Path self : List.of(fixture.file(), symlink, hardLink, wal)) {
                assertThatThrownBy(() -> store.admin().backup(self, true, Progress.NONE))
                        .as(self.toString())
                        .hasMessageContaining("onto itself");
            }
            assertThat(store.load("s1")).isNotNull();

            Path existing = dir.resolve("existing.db");
            Files.writeString(existing, "an earlier backup");
            assertThatThrownBy(() -> store.admin().backup(existing, false, Progress.NONE))
                    .hasMessageContaining("exists; ask to overwrite it");
            assertThat(Files.readString(existing)).isEqualTo("an earlier backup");
            store.admin().backup(existing, true, Progress.NONE);
            assertThat(new SQLiteFixture(existing).query("SELECT count(*) FROM jetty_sessions"))
                    .containsExactly(List.of(1));
            try (var files = Files.list(dir)) {
                assertThat(files.map(p -> p.getFileName().toString())).noneMatch(n -> n.endsWith(".partial"));
            }
        }
    }
}
