package io.github.jettysqlite.sessions.internal.sqlite;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.jettysqlite.sessions.internal.ChangeSignals;
import io.github.jettysqlite.sessions.internal.SessionScope;
import io.github.jettysqlite.sessions.support.ChildJvm;
import io.github.jettysqlite.sessions.support.Waiting;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The change board of an SQLite file, opened twice as two processes would open it (each mapping the same file): what
 * one writer announces, the other sees at once, and a mark is given only when no change is under way.
 */
class ChangeBoardTest {
    private static final SessionScope SCOPE = new SessionScope("/app", "0.0.0.0");
    /** The grace for changes left under way that these tests' boards give, shorter than a server's. */
    private static final long GRACE_MS = 1_000;

    @TempDir
    Path dir;

    @Test
    void aChangeOnOneSideMovesTheMarkTheOtherSideSees() {
        ChangeSignals nodeA = ChangeBoard.open(dir.resolve("s.db"));
        ChangeSignals nodeB = ChangeBoard.open(dir.resolve("s.db"));
        ChangeSignals.Mark before = nodeA.mark("t", SCOPE, "s1");
        assertThat(before).isNotNull();

        ChangeSignals.Change change = nodeB.begin("t", SCOPE, "s1");
        assertThat(nodeA.mark("t", SCOPE, "s1")).as("under way").isNull();
        ChangeSignals.Mark own = nodeB.end(change);

        ChangeSignals.Mark after = nodeA.mark("t", SCOPE, "s1");
        assertThat(after).isNotNull().isNotEqualTo(before).isEqualTo(own);
        assertThat(nodeA.mark("t", SCOPE, "s2")).as("another session's slot").isEqualTo(before);
    }

    @Test
    void aCreationIsAnnouncedLikeAnyChangeButGivesItsWriterNoMark() {
        assertAnnouncedWithoutAMark(ChangeSignals::beginCreation);
    }

    @Test
    void aChangeWithoutAMarkIsAnnouncedLikeAnyOtherButGivesItsWriterNoMark() {
        assertAnnouncedWithoutAMark(ChangeSignals::beginUnmarked);
    }

    /** How a change of session s1 begins on a board. */
    @FunctionalInterface
    private interface Beginning {
        ChangeSignals.Change begin(ChangeSignals board, String table, SessionScope scope, String id);
    }

    private void assertAnnouncedWithoutAMark(Beginning beginning) {
        ChangeSignals nodeA = ChangeBoard.open(dir.resolve("s.db"));
        ChangeSignals nodeB = ChangeBoard.open(dir.resolve("s.db"));
        ChangeSignals.Mark before = nodeA.mark("t", SCOPE, "s1");

        ChangeSignals.Change change = beginning.begin(nodeB, "t", SCOPE, "s1");
        assertThat(change.markBefore()).isNull();
        assertThat(nodeA.mark("t", SCOPE, "s1")).as("under way").isNull();
        assertThat(nodeB.end(change)).as("alone, yet no mark for the writer").isNull();

        assertThat(nodeA.mark("t", SCOPE, "s1")).isNotNull().isNotEqualTo(before);
    }

    @Test
    void aWriterLearnsItsCopyIsCurrentOnlyWhenNoOtherChangeRanBesideIt() {
        ChangeSignals nodeA = ChangeBoard.open(dir.resolve("s.db"));
        ChangeSignals nodeB = ChangeBoard.open(dir.resolve("s.db"));

        ChangeSignals.Change first = nodeA.begin("t", SCOPE, "s1");
        ChangeSignals.Change second = nodeB.begin("t", SCOPE, "s1");
        assertThat(nodeA.end(first)).as("another began meanwhile").isNull();
        assertThat(nodeB.end(second)).as("began while another was under way").isNull();

        ChangeSignals.Change alone = nodeA.begin("t", SCOPE, "s1");
        ChangeSignals.Change all = nodeB.beginAll();
        assertThat(nodeA.end(alone)).as("a change of all began meanwhile").isNull();
        assertThat(nodeA.mark("t", SCOPE, "s2"))
                .as("a change of all is under way")
                .isNull();
        nodeB.end(all);

        assertThat(nodeA.end(nodeA.begin("t", SCOPE, "s1"))).isEqualTo(nodeB.mark("t", SCOPE, "s1"));
    }

    @Test
    void manyThreadsAnnouncingAtOnceOnTwoBoardsOfOneFileLoseNoChange() throws Exception {
        // Two boards of one file in one JVM (two lanes, as two processes would have) and many threads on each: no
        // addition may be lost, and no change may be called alone while another change of its slot was under way.
        ChangeBoard[] boards = {ChangeBoard.open(dir.resolve("s.db")), ChangeBoard.open(dir.resolve("s.db"))};
        int threads = 16;
        int changesPerThread = 400;
        String[] ids = {"s1", "s2", "s3", "s4", "s5"};
        Map<Integer, Long> before = new HashMap<>();
        for (String id : ids) {
            before.put(
                    ChangeBoard.slotOf("t", SCOPE, id),
                    boards[0].mark("t", SCOPE, id).session());
        }
        long allBefore = boards[0].mark("t", SCOPE, "s1").all();
        Map<Integer, AtomicLong> changesBySlot = new ConcurrentHashMap<>();
        // When each change was surely under way (from after its begin returned to before its end was called), on one
        // clock, and whether its end said it was alone.
        AtomicLong clock = new AtomicLong();
        List<long[]> windows = Collections.synchronizedList(new ArrayList<>());
        AtomicLong changesOfAll = new AtomicLong();
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int thread = t;
                done.add(pool.submit(() -> {
                    for (int i = 0; i < changesPerThread; i++) {
                        ChangeBoard board = boards[(thread + i) % 2];
                        if (i % 50 == 49) {
                            ChangeSignals.Change all = board.beginAll();
                            long begun = clock.incrementAndGet();
                            long ending = clock.incrementAndGet();
                            assertThat(board.end(all)).isNull();
                            windows.add(new long[] {-1, begun, ending, 0});
                            changesOfAll.incrementAndGet();
                            continue;
                        }
                        String id = ids[(thread * 7 + i) % ids.length];
                        ChangeSignals.Change change = board.begin("t", SCOPE, id);
                        long begun = clock.incrementAndGet();
                        assertThat(change.startedBefore()).as("announced").isGreaterThanOrEqualTo(0);
                        long ending = clock.incrementAndGet();
                        ChangeSignals.Mark own = board.end(change);
                        if (own != null) {
                            assertThat(own.session()).as("ended after it began").isGreaterThan(change.endedBefore());
                        }
                        windows.add(new long[] {change.slot(), begun, ending, own != null ? 1 : 0});
                        changesBySlot
                                .computeIfAbsent(ChangeBoard.slotOf("t", SCOPE, id), k -> new AtomicLong())
                                .incrementAndGet();
                    }
                    return null;
                }));
            }
            for (Future<?> f : done) {
                // Bounded only so that a hang fails the build instead of hanging it.
                f.get(5, TimeUnit.MINUTES);
            }
        } finally {
            pool.shutdownNow();
        }
        for (String id : ids) {
            int slot = ChangeBoard.slotOf("t", SCOPE, id);
            for (ChangeBoard board : boards) {
                ChangeSignals.Mark mark = board.mark("t", SCOPE, id);
                assertThat(mark).as("nothing left under way").isNotNull();
                assertThat(mark.session())
                        .as("every change of %s's slot counted once", id)
                        .isEqualTo(before.get(slot) + changesBySlot.get(slot).get());
                assertThat(mark.all()).isEqualTo(allBefore + changesOfAll.get());
            }
        }
        long alone = 0;
        for (long[] change : windows) {
            if (change[3] == 0) {
                continue;
            }
            alone++;
            for (long[] other : windows) {
                boolean sameSlotOrAll = other[0] == change[0] || other[0] == -1;
                boolean overlapped = other[1] < change[2] && change[1] < other[2];
                assertThat(other != change && sameSlotOrAll && overlapped)
                        .as("a change called alone while another of its slot, or of all, was surely under way")
                        .isFalse();
            }
        }
        assertThat(alone).as("some changes ran alone").isPositive();
    }

    @Test
    void aChangeUnderWayWhenTheDatabaseClosesStillEndsOnTheFile() {
        ChangeBoard closing = ChangeBoard.open(dir.resolve("s.db"));
        ChangeSignals.Change write = closing.begin("t", SCOPE, "s1");
        ChangeSignals.Change sweep = closing.beginAll();

        closing.close();
        assertThat(closing.begin("t", SCOPE, "s2"))
                .as("no change begins once closed")
                .isNull();
        assertThat(closing.mark("t", SCOPE, "s2")).as("no mark once closed").isNull();
        closing.end(write);
        closing.end(sweep);

        // Otherwise the slot, and for the sweep every session, would stay "under way" in the file for good: no node
        // would ever again use a cached copy without reading its row.
        ChangeSignals restarted = ChangeBoard.open(dir.resolve("s.db"));
        assertThat(restarted.mark("t", SCOPE, "s1")).isNotNull();
        assertThat(restarted.mark("t", SCOPE, "s3")).isNotNull();
    }

    @Test
    void aClosedBoardLetsGoOfItsFileOnceItsLastChangeEnded() throws Exception {
        Path database = dir.resolve("s.db");
        ChangeBoard closing = ChangeBoard.open(database);
        ChangeSignals.Change write = closing.begin("t", SCOPE, "s1");
        closing.close();
        assertThat(openDescriptorsOf(dir.resolve("s.db-changes")))
                .as("a change still under way")
                .isEqualTo(1);

        closing.end(write);

        assertThat(openDescriptorsOf(dir.resolve("s.db-changes"))).isZero();
    }

    private static long openDescriptorsOf(Path file) throws Exception {
        Assumptions.assumeTrue(Files.isDirectory(Path.of("/proc/self/fd")), "needs /proc/self/fd (Linux)");
        String target = file.toRealPath().toString();
        try (var fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.filter(fd -> {
                        try {
                            return Files.readSymbolicLink(fd).toString().equals(target);
                        } catch (java.io.IOException e) {
                            return false; // closed since the listing
                        }
                    })
                    .count();
        }
    }

    @Test
    void aChangeUnderWayInALiveProcessIsLeftUnderWayByABoardOpenedMeanwhile() {
        ChangeSignals writing = ChangeBoard.open(dir.resolve("s.db"));
        writing.begin("t", SCOPE, "s1");

        ChangeSignals started = ChangeBoard.open(dir.resolve("s.db"));
        assertThat(started.mark("t", SCOPE, "s1")).isNull();
        assertThat(started.mark("t", SCOPE, "s2")).isNotNull();
    }

    @Test
    void aProcessKilledDuringChangesLeavesNothingUnderWayOnceAnotherProcessOpensTheBoard() throws Exception {
        Path database = dir.resolve("s.db");
        ChangeSignals observer = ChangeBoard.open(database); // lane 0
        ChangeBoard leaving = ChangeBoard.open(database); // lane 1, so that the child takes lane 2
        try (ChildJvm killed = childWithChangesUnderWay(database, "s1")) {
            assertThat(observer.mark("t", SCOPE, "s2")).as("a sweep under way").isNull();
            leaving.close();

            killed.kill();
            // The next process takes the first free lane, lane 1, not the dead process's, which it ends all the same
            // once the changes it found there have stayed as they were for a while.
            ChangeBoard restarted = ChangeBoard.open(database, GRACE_MS);
            assertThat(restarted.hasLeftovers()).isTrue();
            Waiting.until("the restarted process ending what it found", () -> {
                restarted.mark("t", SCOPE, "s3"); // it looks at the board when it uses it
                return !restarted.hasLeftovers();
            });

            assertThat(observer.mark("t", SCOPE, "s1"))
                    .as("the dead process's change of s1 is no longer under way")
                    .isNotNull();
            assertThat(observer.mark("t", SCOPE, "s2")).as("nor its sweep").isNotNull();
        }
    }

    @Test
    void aProcessKilledDuringChangesLeavesNothingUnderWayForProcessesAlreadyRunning() throws Exception {
        Path database = dir.resolve("s.db");
        ChangeBoard running = ChangeBoard.open(database, GRACE_MS); // lane 0; the child takes lane 1
        try (ChildJvm killed = childWithChangesUnderWay(database, "s1")) {
            assertThat(running.mark("t", SCOPE, "s2")).as("a sweep under way").isNull();

            // While the child lives, its lane is held: looking for lanes let go of, twice (the second a grace after the
            // first), reads nothing and ends nothing of it.
            int looksBefore = running.laneLooks();
            Waiting.until("two looks for lanes let go of while the child lives", () -> {
                running.mark("t", SCOPE, "s3");
                return running.laneLooks() >= looksBefore + 2;
            });
            assertThat(running.freedLaneReads()).isZero();
            assertThat(running.mark("t", SCOPE, "s1"))
                    .as("the live child's change")
                    .isNull();

            killed.kill();
            // Nobody opens the board again: the process that was running all along finds the dead one's lane let go
            // of and ends what it left, once that has stayed as it was for the grace.
            Waiting.until(
                    "the running process ending what the dead one left",
                    () -> running.mark("t", SCOPE, "s1") != null && running.mark("t", SCOPE, "s2") != null);
            assertThat(running.freedLaneReads()).isPositive();
        }
    }

    /** A child JVM that began a change of the session and a sweep on the board, and then waits to be killed. */
    private static ChildJvm childWithChangesUnderWay(Path database, String id) throws Exception {
        ChildJvm child = ChildJvm.start(BoardChangeUnderWay.class, database.toString(), id);
        try {
            assertThat(child.nextLine(Waiting.SECONDS, TimeUnit.SECONDS))
                    .as("the child began its changes: %s", child.output())
                    .isEqualTo("begun");
            return child;
        } catch (Exception | AssertionError e) {
            child.close();
            throw e;
        }
    }

    @Test
    void aLiveProcesssChangeIsNeverTakenForOneLeftByADeadProcess() throws Exception {
        Path database = dir.resolve("s.db");
        ChangeBoard running = ChangeBoard.open(database, GRACE_MS);
        ChangeBoard writing = ChangeBoard.open(database, GRACE_MS); // another lane, held all along by this JVM
        ChangeSignals.Change change = writing.begin("t", SCOPE, "s1");

        // Two looks for lanes let go of: the second at least a grace after the change began.
        Waiting.until("two looks for lanes let go of", () -> {
            running.mark("t", SCOPE, "s2");
            return running.laneLooks() >= 2;
        });
        assertThat(running.mark("t", SCOPE, "s1")).as("still under way").isNull();
        assertThat(running.freedLaneReads()).as("no lane was let go of").isZero();

        writing.end(change);
        assertThat(running.mark("t", SCOPE, "s1")).isNotNull();
        writing.close();
        running.close();
    }

    @Test
    void aLaneWhoseFormerOwnerStillWritesNeverShowsTheNewOwnersChangeAsNone() throws Exception {
        Path database = dir.resolve("s.db");
        ChangeSignals reader = ChangeBoard.open(database); // lane 0
        int row = BoardFile.rowOf(ChangeBoard.slotOf("t", SCOPE, "s1"));
        try (FileChannel board = FileChannel.open(dir.resolve("s.db-changes"), StandardOpenOption.WRITE)) {
            // Lane 1 had an owner, which lost its lock (another class loader closed a channel of the file) and does
            // not know it yet: the new owner takes the lane with its counters at zero.
            board.write(ByteBuffer.allocate(8).putLong(0, 42), BoardFile.tokenOffset(1));
            ChangeSignals owner = ChangeBoard.open(database);
            // The former owner ends a change of s1 in the lane: its counters move from 0 to 1.
            board.write(ByteBuffer.allocate(16).putLong(0, 1).putLong(8, 1), BoardFile.laneOffset(row, 1));
            assertNewOwnersChangeIsSeen(reader, owner);
        }
    }

    private static void assertNewOwnersChangeIsSeen(ChangeSignals reader, ChangeSignals owner) {
        ChangeSignals.Mark afterFormer = reader.mark("t", SCOPE, "s1");
        assertThat(afterFormer).isNotNull();

        ChangeSignals.Change change = owner.begin("t", SCOPE, "s1");
        assertThat(reader.mark("t", SCOPE, "s1"))
                .as("the new owner's change of s1 is under way, whatever the former owner wrote")
                .isNull();
        owner.end(change);
        assertThat(reader.mark("t", SCOPE, "s1")).isNotNull().isNotEqualTo(afterFormer);
    }

    @Test
    void aChangeTheFormerOwnerOfALaneBeganThereIsEvenedByItsNewOwner() throws Exception {
        Path database = dir.resolve("s.db");
        ChangeSignals reader = ChangeBoard.open(database); // lane 0
        int row = BoardFile.rowOf(ChangeBoard.slotOf("t", SCOPE, "s1"));
        ChangeSignals owner;
        try (FileChannel board = FileChannel.open(dir.resolve("s.db-changes"), StandardOpenOption.WRITE)) {
            board.write(ByteBuffer.allocate(8).putLong(0, 42), BoardFile.tokenOffset(1)); // a former owner, as above
            owner = ChangeBoard.open(database);
            // The former owner begins a change of s1 in the lane, finds out it lost the lane and ends it in another.
            board.write(ByteBuffer.allocate(8).putLong(0, 1), BoardFile.laneOffset(row, 1));
        }
        assertThat(reader.mark("t", SCOPE, "s1")).isNull();

        Waiting.until("the lane's new owner evening what it did not write", () -> {
            owner.mark("t", SCOPE, "s1"); // the owner reads its lane when it uses the row
            return reader.mark("t", SCOPE, "s1") != null;
        });
    }

    @Test
    void aChangeItsOwnerEndsWithinTheGraceIsLeftToIt() throws Exception {
        Path database = dir.resolve("s.db");
        ChangeSignals reader = ChangeBoard.open(database); // lane 0
        int row = BoardFile.rowOf(ChangeBoard.slotOf("t", SCOPE, "s1"));
        try (FileChannel board =
                FileChannel.open(dir.resolve("s.db-changes"), StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            // Lane 5's owner is alive without its lock (another class loader closed a channel of the file) and begins
            // a change of s1 there as another process opens the board.
            board.write(ByteBuffer.allocate(8).putLong(0, 42), BoardFile.tokenOffset(5));
            board.write(ByteBuffer.allocate(8).putLong(0, 1), BoardFile.laneOffset(row, 5));
            ChangeBoard opened = ChangeBoard.open(database, GRACE_MS);
            assertThat(opened.hasLeftovers()).isTrue();
            // Its commit is quick: it ends the change well within the grace.
            board.write(ByteBuffer.allocate(8).putLong(0, 1), BoardFile.laneOffset(row, 5) + 8);

            Waiting.until("the grace over", () -> {
                opened.mark("t", SCOPE, "s3");
                return !opened.hasLeftovers();
            });
            ByteBuffer lane = ByteBuffer.allocate(16);
            board.read(lane, BoardFile.laneOffset(row, 5));
            assertThat(lane.getLong(0)).as("its change left as it ended it").isEqualTo(1);
            assertThat(lane.getLong(8)).isEqualTo(1);
            assertThat(reader.mark("t", SCOPE, "s1")).isNotNull();
        }
    }

    @Test
    void aProcessStillOnADeletedBoardAnnouncesWhatItWroteThereWhenItMoves() throws Exception {
        Path database = dir.resolve("s.db");
        ChangeBoard late = ChangeBoard.open(database);
        ChangeSignals.Mark old = late.mark("t", SCOPE, "s2");
        late.holdLooks(); // however slow the machine, its next look comes only after its write below
        Files.delete(database.resolveSibling("s.db-changes"));
        ChangeBoard moved = ChangeBoard.open(database);
        ChangeSignals.Mark trusted = moved.mark("t", SCOPE, "s1");

        // The late process writes s1 before its next look at the file: on the deleted board.
        ChangeSignals.Change write = late.begin("t", SCOPE, "s1");
        ChangeSignals.Mark ended = late.end(write);
        assertThat(write.board()).isEqualTo(old.board());
        assertThat(ended).isNotNull();
        assertThat(ended.board()).isEqualTo(old.board());

        late.lookSoon();
        Waiting.until("the late process on the new board", () -> {
            ChangeSignals.Mark now = late.mark("t", SCOPE, "s2");
            return now != null && now.board() == trusted.board();
        });
        assertThat(moved.mark("t", SCOPE, "s1"))
                .as("the copy of s1 trusted on the new board is read again")
                .isNotEqualTo(trusted);
        late.close();
        moved.close();
    }

    @Test
    void aBoardReplacedWhileAProcessOpensItIsNotTheOneThatProcessKeepsUsing() throws Exception {
        Path database = dir.resolve("s.db");
        Path board = dir.resolve("s.db-changes");
        ChangeBoard.open(database).close();
        Path copy = Files.copy(board, dir.resolve("copy-of-the-board"));
        // The path names the first board when the opening process opens it, and a copy of it (a restored backup, say)
        // by the time the process reads which file it opened.
        BoardFiles.afterChannelOpens = () -> {
            try {
                Files.move(copy, board, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            BoardFiles.afterChannelOpens = () -> {};
        };
        ChangeSignals opening;
        try {
            opening = ChangeBoard.open(database);
        } finally {
            BoardFiles.afterChannelOpens = () -> {};
        }
        ChangeSignals other = ChangeBoard.open(database);

        Waiting.until("the opening process on a board", () -> opening.mark("t", SCOPE, "s1") != null);
        ChangeSignals.Mark trusted = opening.mark("t", SCOPE, "s1");
        other.end(other.begin("t", SCOPE, "s1"));
        assertThat(opening.mark("t", SCOPE, "s1"))
                .as("a change announced on the board at the path is seen")
                .isNotEqualTo(trusted);
    }

    @Test
    void aFileThatIsNotABoardIsLeftAloneAndNothingIsTrusted() throws Exception {
        Path foreign = Files.writeString(dir.resolve("s.db-changes"), "not a board, but somebody's file");

        ChangeSignals signals = ChangeBoard.open(dir.resolve("s.db"));

        assertThat(signals.mark("t", SCOPE, "s1")).isNull();
        ChangeSignals.Change change = signals.begin("t", SCOPE, "s1");
        assertThat(change.markBefore()).as("nothing known before").isNull();
        assertThat(signals.end(change)).as("nothing known after").isNull();
        assertThat(Files.readString(foreign)).isEqualTo("not a board, but somebody's file");
    }

    @Test
    void aBoardDeletedUnderRunningServersIsOpenedAgainByEveryoneAndNoOldMarkHoldsOnIt() throws Exception {
        Path database = dir.resolve("s.db");
        ChangeSignals running = ChangeBoard.open(database);
        ChangeSignals.Mark old = running.mark("t", SCOPE, "s1");
        assertThat(old).isNotNull();

        Files.delete(dir.resolve("s.db-changes"));
        ChangeSignals started = ChangeBoard.open(database);
        ChangeSignals.Mark fresh = started.mark("t", SCOPE, "s1");
        assertThat(fresh.board()).isNotEqualTo(old.board());

        Waiting.until("the running side on the new board", () -> onBoard(running, fresh.board()));
        // What the running side wrote on the deleted board, nobody else read: its arrival is a change of all.
        ChangeSignals.Mark arrived = started.mark("t", SCOPE, "s1");
        assertThat(arrived.all()).isGreaterThan(fresh.all());
        assertThat(running.mark("t", SCOPE, "s1")).isEqualTo(arrived);
        started.end(started.begin("t", SCOPE, "s1"));
        assertThat(running.mark("t", SCOPE, "s1")).isNotEqualTo(arrived);
    }

    @Test
    void aWriteUnderWayWhileTheBoardIsReplacedIsAnnouncedOnTheNewBoard() throws Exception {
        Path database = dir.resolve("s.db");
        ChangeSignals writer = ChangeBoard.open(database);
        ChangeSignals.Change write = writer.begin("t", SCOPE, "s1");

        Files.delete(dir.resolve("s.db-changes"));
        ChangeSignals reader = ChangeBoard.open(database);
        long newBoard = reader.mark("t", SCOPE, "s1").board();
        Waiting.until("the writer on the new board", () -> onBoard(writer, newBoard));
        ChangeSignals.Mark trusted = reader.mark("t", SCOPE, "s1");
        assertThat(writer.end(write)).as("a copy is not known current after it").isNull();

        // The write began on the old board; a reader that took its mark on the new one before the write committed
        // must see it move, or it would go on trusting a copy older than the row.
        assertThat(reader.mark("t", SCOPE, "s1")).isNotNull().isNotEqualTo(trusted);
        assertThat(reader.mark("t", SCOPE, "s2"))
                .as("another session's slot")
                .isEqualTo(new ChangeSignals.Mark(0, trusted.all(), trusted.board()));
    }

    @Test
    void aWriteWhoseBeginningCouldNotBeWrittenIsAnnouncedAsItEnds() throws Exception {
        Path database = dir.resolve("s.db");
        Path board = Files.writeString(dir.resolve("s.db-changes"), "not a board yet");
        ChangeSignals writer = ChangeBoard.open(database);
        ChangeSignals.Change write = writer.begin("t", SCOPE, "s1");
        assertThat(write.markBefore()).isNull();

        // The board becomes usable while the write is under way (a disk that filled up empties again).
        Files.delete(board);
        ChangeSignals reader = ChangeBoard.open(database);
        long usable = reader.mark("t", SCOPE, "s1").board();
        Waiting.until("the writer on the board", () -> onBoard(writer, usable));
        ChangeSignals.Mark trusted = reader.mark("t", SCOPE, "s1");
        writer.end(write);

        // Announced as a change of all: every copy trusted before it is read again.
        assertThat(reader.mark("t", SCOPE, "s1")).isNotNull().isNotEqualTo(trusted);
        assertThat(reader.mark("t", SCOPE, "s2").all()).isGreaterThan(trusted.all());
    }

    /** Whether the signals use the board born with that generation (they look at the file when they are used). */
    private static boolean onBoard(ChangeSignals signals, long board) {
        ChangeSignals.Mark now = signals.mark("t", SCOPE, "s2");
        return now != null && now.board() == board;
    }

    @Test
    void aBoardCutShortUnderRunningServersIsSetUpAgainWithoutFailingAnyone() throws Exception {
        Path database = dir.resolve("s.db");
        ChangeSignals running = ChangeBoard.open(database);
        ChangeSignals.Mark old = running.mark("t", SCOPE, "s1");
        try (FileChannel board = FileChannel.open(dir.resolve("s.db-changes"), StandardOpenOption.WRITE)) {
            board.truncate(0);
        }

        Waiting.until("the board set up again", () -> {
            ChangeSignals.Change change = running.begin("t", SCOPE, "s1");
            running.end(change);
            ChangeSignals.Mark now = running.mark("t", SCOPE, "s1");
            return now != null && now.board() != old.board();
        });
        assertThat(Files.size(dir.resolve("s.db-changes"))).isGreaterThan(0);
    }

    @Test
    void aBoardThatCouldNotBeUsedAtStartIsUsedOnceItCan() throws Exception {
        Path foreign = Files.writeString(dir.resolve("s.db-changes"), "in the way");
        ChangeSignals signals = ChangeBoard.open(dir.resolve("s.db"));
        assertThat(signals.mark("t", SCOPE, "s1")).isNull();

        Files.delete(foreign);

        Waiting.until("the board set up once the file is out of the way", () -> signals.mark("t", SCOPE, "s1") != null);
    }

    @Test
    void anInterruptedThreadNeitherLosesItsInterruptNorClosesTheBoardForOthers() {
        ChangeSignals signals = ChangeBoard.open(dir.resolve("s.db"));
        ChangeSignals.Mark before = signals.mark("t", SCOPE, "s1");

        Thread.currentThread().interrupt();
        ChangeSignals.Mark own;
        try {
            own = signals.end(signals.begin("t", SCOPE, "s1"));
        } finally {
            assertThat(Thread.interrupted()).as("interrupt kept").isTrue();
        }

        assertThat(own).isNotNull().isNotEqualTo(before);
        assertThat(signals.mark("t", SCOPE, "s1")).isEqualTo(own);
    }

    @Test
    void anotherProcessSettingUpAnEmptiedBoardAgainIsNoticed() throws Exception {
        Path database = dir.resolve("s.db");
        ChangeSignals running = ChangeBoard.open(database);
        ChangeSignals.Mark old = running.mark("t", SCOPE, "s1");
        try (FileChannel board = FileChannel.open(dir.resolve("s.db-changes"), StandardOpenOption.WRITE)) {
            board.truncate(0);
        }
        ChangeSignals other = ChangeBoard.open(database);
        long fresh = other.mark("t", SCOPE, "s1").board();

        Waiting.until("the running side on the board set up again", () -> {
            ChangeSignals.Mark now = running.mark("t", SCOPE, "s1");
            return now != null && now.board() == fresh;
        });
        assertThat(fresh).isNotEqualTo(old.board());
    }

    @Test
    void aLinkWhereTheBoardGoesIsNotFollowed() throws Exception {
        Path elsewhere = Files.writeString(dir.resolve("somebody-elses-file"), "");
        Files.createSymbolicLink(dir.resolve("s.db-changes"), elsewhere);

        ChangeSignals signals = ChangeBoard.open(dir.resolve("s.db"));

        assertThat(signals.mark("t", SCOPE, "s1")).isNull();
        ChangeSignals.Change change = signals.begin("t", SCOPE, "s1");
        assertThat(change.markBefore()).isNull();
        assertThat(signals.end(change)).isNull();
        assertThat(Files.size(elsewhere)).isZero();
    }

    @Test
    void aBoardInTheEarlierLayoutIsSetUpAgain() throws Exception {
        // What the version before lanes left beside a database: its magic, then counters.
        byte[] earlier = new byte[64 + 16_384 * 16];
        System.arraycopy("JSSCHGB1".getBytes(StandardCharsets.US_ASCII), 0, earlier, 0, 8);
        Path board = Files.write(dir.resolve("s.db-changes"), earlier);

        ChangeSignals signals = ChangeBoard.open(dir.resolve("s.db"));

        assertThat(signals.mark("t", SCOPE, "s1")).isNotNull();
        assertThat(Files.size(board)).isEqualTo(BoardFile.SIZE);
    }

    @Test
    void aBoardWhoseLaneAnotherProcessTookMovesToAnotherLaneAndEveryCopyIsReadAgain() throws Exception {
        Path database = dir.resolve("s.db");
        ChangeBoard node = ChangeBoard.open(database, GRACE_MS);
        ChangeSignals other = ChangeBoard.open(database);
        ChangeSignals.Mark trusted = other.mark("t", SCOPE, "s2");
        ChangeSignals.Change write = node.begin("t", SCOPE, "s1");

        // Another process took the node's lane (the first board of a file takes lane 0), as it can once the node's lock
        // on it was let go of by a close in another class loader, and wrote its token.
        try (FileChannel board = FileChannel.open(dir.resolve("s.db-changes"), StandardOpenOption.WRITE)) {
            board.write(ByteBuffer.allocate(8).putLong(0, 42), BoardFile.tokenOffset(0));
        }

        // Whatever either process added to the lane meanwhile may be lost: every copy is read again.
        Waiting.until("the node on another lane", () -> {
            node.mark("t", SCOPE, "s2"); // the node looks at the board when it uses it
            ChangeSignals.Mark now = other.mark("t", SCOPE, "s2");
            return now != null && now.all() > trusted.all();
        });
        assertThat(node.end(write)).isNull();
        // The node went back to lane 0, the first free one, where it found its own write's beginning: it is ended
        // there once the grace for an owner that might still end it is over.
        Waiting.until("the node ending what it found under way", () -> {
            node.mark("t", SCOPE, "s2");
            return !node.hasLeftovers();
        });
        assertThat(node.mark("t", SCOPE, "s1"))
                .as("the write under way ended on the node's new lane: nothing left under way")
                .isNotNull()
                .isEqualTo(other.mark("t", SCOPE, "s1"));
        ChangeSignals.Mark before = other.mark("t", SCOPE, "s1");
        node.end(node.begin("t", SCOPE, "s1"));
        assertThat(other.mark("t", SCOPE, "s1")).isNotEqualTo(before);
    }

    @Test
    void aBoardFindingEveryLaneTakenTrustsNothingUntilOneIsFree() throws Exception {
        Path database = dir.resolve("s.db");
        List<ChangeBoard> taking = new ArrayList<>();
        for (int i = 0; i < BoardFile.LANES; i++) {
            taking.add(ChangeBoard.open(database));
        }
        ChangeSignals late = ChangeBoard.open(database);
        assertThat(late.mark("t", SCOPE, "s1")).isNull();
        ChangeSignals.Change unannounced = late.begin("t", SCOPE, "s1");
        assertThat(unannounced.markBefore()).isNull();
        late.end(unannounced);

        taking.remove(0).close();

        Waiting.until("a lane for the late board", () -> late.mark("t", SCOPE, "s1") != null);
        ChangeSignals.Mark before = taking.get(0).mark("t", SCOPE, "s1");
        late.end(late.begin("t", SCOPE, "s1"));
        assertThat(taking.get(0).mark("t", SCOPE, "s1")).isNotEqualTo(before);
        taking.forEach(ChangeBoard::close);
    }

    @Test
    void tableNamesShareSlotsWhateverTheirCase() {
        assertThat(ChangeBoard.slotOf("Jetty_Sessions", SCOPE, "s1"))
                .isEqualTo(ChangeBoard.slotOf("jetty_sessions", SCOPE, "s1"));
    }

    @Test
    void theBoardTakesTheDatabaseFilesPermissionsSoEveryWriterCanAnnounce() throws Exception {
        Path database = Files.writeString(dir.resolve("s.db"), "");
        Set<PosixFilePermission> shared = PosixFilePermissions.fromString("rw-rw----");
        Files.setPosixFilePermissions(database, shared);

        ChangeBoard.open(database);

        assertThat(Files.getPosixFilePermissions(dir.resolve("s.db-changes"))).isEqualTo(shared);
    }

    @Test
    void aBoardThatCannotBeCreatedMeansEveryCopyIsRead() throws Exception {
        Path notADirectory = Files.writeString(dir.resolve("plain-file"), "x");

        ChangeSignals signals = ChangeBoard.open(notADirectory.resolve("s.db"));

        assertThat(signals.mark("t", SCOPE, "s1")).isNull();
    }
}
