package io.github.jettysqlite.sessions.internal.sqlite;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The board files this process (this class loader of it) has open, opened and closed one at a time.
 *
 * <p>Closing any channel of a file lets go of every lock the process holds on that file, the lane locks of the other
 * boards of it included (a redeployed application's new store beside the old one still closing, or tests opening a
 * file twice). So after each close every other open board takes its lane lock again; should another process have
 * taken the lane in between, that board finds its token replaced at its next look and moves to another lane. A board of
 * the same file opened by another class loader (the library in two web applications) is not known here; it finds out
 * the same way.
 */
final class BoardFiles {
    private static final Logger LOG = LoggerFactory.getLogger(ChangeBoard.class);
    private static final List<BoardFile> OPEN = new ArrayList<>();
    /** Runs once the channel is open, before the board reads its file: only tests set it, to replace the file there. */
    static volatile Runnable afterChannelOpens = () -> {};

    private BoardFiles() {}

    /**
     * Opens a board file, setting it up when needed, and takes a lane in it.
     *
     * @throws IOException when it cannot be opened, holds something else than a board, or has no free lane
     */
    static synchronized BoardFile open(Path file, Path databaseFile, int preferredLane) throws IOException {
        // Which file the path names is read before the channel opens it and compared with what the board reads after
        // (see BoardFile#open): a board replaced in between would otherwise leave this process announcing on, and
        // trusting marks of, a file nobody else uses, with every later look finding the path unchanged.
        Object before = fileKeyOrCreate(file);
        FileChannel channel = FileChannel.open(
                file,
                StandardOpenOption.CREATE,
                StandardOpenOption.READ,
                StandardOpenOption.WRITE,
                // A link planted where the board goes must not make some other file a board.
                LinkOption.NOFOLLOW_LINKS);
        try {
            afterChannelOpens.run();
            BoardFile opened = BoardFile.open(channel, file, databaseFile, preferredLane);
            if (!Objects.equals(before, opened.fileKey())) {
                throw new IOException("the file was replaced while it was being opened");
            }
            OPEN.add(opened);
            return opened;
        } catch (IOException | RuntimeException e) {
            // The boards of the file the key was read from take their locks again, and those of the file now at the
            // path, which the channel may be of (replaced in between).
            closeChannel(channel, before, file);
            throw e;
        }
    }

    /**
     * The key of the file at the path (no link followed), creating an empty file there when there is none; null where
     * the file system gives files no key (Windows), where a replaced board is not noticed.
     */
    private static Object fileKeyOrCreate(Path file) throws IOException {
        try {
            Files.createFile(file);
        } catch (FileAlreadyExistsException exists) {
            // opened as it is
        }
        return Files.readAttributes(file, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS)
                .fileKey();
    }

    /** Closes a board file's channel, which lets go of its lane (and of every lock this process holds on the file). */
    static synchronized void close(BoardFile board) {
        if (OPEN.remove(board)) {
            closeChannel(board.channel(), board.fileKey(), null);
        }
    }

    /**
     * Closes a channel, then takes again the lane locks the close let go of: those of the boards of the same file, known
     * by its key and, for a failed open whose channel may be of the file now at the path, by that path (null: none). A
     * board of another file keeps its lock untouched: taking it again would open a moment in which another process
     * could take its lane.
     */
    private static void closeChannel(FileChannel channel, Object fileKey, Path path) {
        try {
            channel.close();
        } catch (IOException ignored) {
            // nothing to do: the board is being let go of
        }
        for (BoardFile other : OPEN) {
            boolean sameFile =
                    (fileKey != null && fileKey.equals(other.fileKey())) || (path != null && path.equals(other.path()));
            if (sameFile && !other.retakeLane()) {
                LOG.debug(
                        "A board lost its lane lock when another channel of its file closed; it moves at its next look");
            }
        }
    }
}
