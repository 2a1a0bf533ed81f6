package io.github.jettysqlite.benchmarks;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * What this process has written to files so far, from Linux's {@code /proc/self/io}: {@code wchar} counts every byte
 * passed to a write call (WAL frames, checkpoint copies, journal and store files alike), whether or not it has
 * reached the disk yet, so the difference over a cell is what the subject asked the file system to write.
 */
final class IoCounter {
    private static final Path COUNTERS = Path.of("/proc/self/io");

    private IoCounter() {}

    /** Bytes written so far, or -1 where the system does not say. */
    static long bytesWritten() {
        try {
            for (String line : Files.readAllLines(COUNTERS)) {
                if (line.startsWith("wchar:")) {
                    return Long.parseLong(line.substring("wchar:".length()).trim());
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux, or not allowed to look
        }
        return -1;
    }
}
