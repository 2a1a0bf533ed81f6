package io.github.jettysqlite.sessions;

import static io.github.jettysqlite.sessions.StoreFixture.NODE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.jettysqlite.sessions.admin.Progress;
import io.github.jettysqlite.sessions.internal.table.SessionTable;
import io.github.jettysqlite.sessions.support.Waiting;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
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
            AtomicReference<Exception> writerFailure = new AtomicReference<>();
            Thread writer = new Thread(() -> {
                while (writing.get()) {
                    try {
                        StoreFixture.put(
                                store,
                                StoreFixture.session(
                                        store, "w" + committed.get(), System.currentTimeMillis() + HOUR, NODE));
                        committed.incrementAndGet();
                        // A pace (a busy server's stream of saves), not a wait: whatever the test needs of the
                        // writer it waits for on the count of commits, and a slower writer under load meets it later.
                        Thread.sleep(2);
                    } catch (Exception e) {
                        writerFailure.set(e);
                        return;
                    }
                }
            });
            writer.start();
            ExecutorService backingUp = Executors.newSingleThreadExecutor();
            CountDownLatch firstStepCopied = new CountDownLatch(1);
            CountDownLatch writerCommittedMeanwhile = new CountDownLatch(1);
            try {
                awaitCommits(committed, 100, writerFailure);
                long committedBefore = committed.get();
                List<long[]> progress = Collections.synchronizedList(new ArrayList<>());
                Path backup = dir.resolve("backup.db");

                // The backup holds its snapshot while it reports progress: after the first step it waits there until
                // the writer has committed, so that commits certainly land between two of its steps, which would make
                // a backup without a pinned snapshot start over.
                Future<?> backupDone = backingUp.submit(() -> {
                    store.admin().backup(backup, false, (done, total) -> {
                        progress.add(new long[] {done, total});
                        if (progress.size() == 1) {
                            firstStepCopied.countDown();
                            awaitQuietly(writerCommittedMeanwhile);
                        }
                    });
                    return null;
                });
                Waiting.await(firstStepCopied, "the backup's first step");
                long committedAtFirstStep = committed.get();
                awaitCommits(committed, committedAtFirstStep + 10, writerFailure);
                long committedWhileHeld = committed.get();
                writerCommittedMeanwhile.countDown();
                Waiting.until("the backup finished", backupDone::isDone);
                backupDone.get();

                long commitsDuring = committed.get() - committedBefore;
                System.out.printf(
                        "backup of %d MB: %d commits meanwhile, %d progress reports%n",
                        Files.size(fixture.file()) / 1_000_000, commitsDuring, progress.size());
                assertThat(commitsDuring).as("the writer kept committing").isPositive();
                assertThat(progress).hasSizeGreaterThan(10);
                // One pass over one snapshot: the copy never started over, and it ended with every page.
                long total = progress.get(0)[1];
                long previous = 0;
                for (long[] report : progress) {
                    assertThat(report[1]).as("pages to copy").isEqualTo(total);
                    assertThat(report[0]).as("pages copied").isGreaterThanOrEqualTo(previous);
                    previous = report[0];
                }
                assertThat(previous).as("pages copied at the end").isEqualTo(total);
                try (SQLiteFixture copy = new SQLiteFixture(backup)) {
                    assertThat(copy.query("PRAGMA integrity_check")).containsExactly(List.of("ok"));
                    Set<String> ids = new HashSet<>();
                    for (List<Object> row : copy.query("SELECT session_id FROM jetty_sessions")) {
                        ids.add((String) row.get(0));
                    }
                    for (long i = 0; i < committedBefore; i++) {
                        assertThat(ids).contains("w" + i);
                    }
                    assertThat(ids)
                            .as("a commit made while the backup held its snapshot")
                            .doesNotContain("w" + (committedWhileHeld - 1));
                    assertThat(ids).contains("bulk1", "bulk5000", "seed");
                    assertThat(((byte[]) copy.store().load("seed").getAttribute("payload")))
                            .hasSize(10_000);
                }
            } finally {
                writerCommittedMeanwhile.countDown();
                backingUp.shutdown();
                writing.set(false);
                writer.join();
            }
        }
    }

    /** Waits until the writer has committed that many sessions in all, failing at once if it stopped. */
    private static void awaitCommits(AtomicLong committed, long count, AtomicReference<Exception> writerFailure)
            throws Exception {
        Waiting.until("the writer's commit number " + count, () -> {
            if (writerFailure.get() != null) {
                throw new AssertionError("the writer failed", writerFailure.get());
            }
            return committed.get() >= count;
        });
    }

    /**
     * Waits inside the backup's progress report, which the driver calls from its native backup loop, no place to
     * throw an assertion from: a wait that ends without the latch only lets the backup go on, and the test thread,
     * which opens the latch, has failed by then.
     */
    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await(Waiting.SECONDS, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
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
