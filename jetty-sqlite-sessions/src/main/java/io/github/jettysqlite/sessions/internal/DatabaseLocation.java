package io.github.jettysqlite.sessions.internal;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Where a session database is, parsed once from what users write: a file path, a {@code jdbc:sqlite:} URL (plain
 * or in SQLite's {@code file:} URI form) or a {@code jdbc:postgresql:} URL. The stores, the admin API and the
 * command line all read locations through here, so they accept and refuse the same spellings.
 *
 * <p>A {@code jdbc:sqlite:} URL with parameters ({@code ?mode=ro}, {@code ?journal_mode=...}) is refused rather
 * than half understood: this library sets the pragmas itself, and a parameter read as part of the file name would
 * create a stray file (or, with {@code file:}, a stray directory).
 */
public sealed interface DatabaseLocation {
    /** An SQLite database file. */
    record SQLiteFile(Path file) implements DatabaseLocation {}

    /** A PostgreSQL server, by JDBC URL. */
    record PostgreSQLUrl(String url) implements DatabaseLocation {}

    /**
     * @param fileOrUrl a path, or a JDBC URL of SQLite or PostgreSQL
     * @throws IllegalArgumentException saying what is wrong; never repeating a URL's query string, where passwords sit
     */
    static DatabaseLocation parse(String fileOrUrl) {
        if (fileOrUrl == null || fileOrUrl.isBlank()) {
            throw new IllegalArgumentException("no database file or URL given");
        }
        String text = fileOrUrl.trim();
        String lower = text.toLowerCase(Locale.ROOT);
        if (lower.startsWith("jdbc:postgresql:")) {
            return new PostgreSQLUrl(text);
        }
        if (lower.startsWith("jdbc:sqlite:")) {
            return new SQLiteFile(sqlitePath(text.substring("jdbc:sqlite:".length())));
        }
        if (lower.startsWith("jdbc:")) {
            // Only the scheme is repeated: other drivers carry credentials in forms no redaction can know.
            int scheme = text.indexOf(':', 5);
            throw new IllegalArgumentException("only jdbc:sqlite: and jdbc:postgresql: URLs are supported, not "
                    + (scheme < 0 ? "that one" : text.substring(0, scheme + 1) + " URLs"));
        }
        return new SQLiteFile(path(text));
    }

    private static Path sqlitePath(String rest) {
        int query = rest.indexOf('?');
        if (query >= 0) {
            throw new IllegalArgumentException("jdbc:sqlite: URLs with parameters ('?...') are not supported: the"
                    + " store sets SQLite's pragmas itself; use its settings (synchronous, busyTimeoutMs) instead");
        }
        if (rest.isEmpty() || rest.equals(":memory:") || rest.startsWith("file::memory:")) {
            throw new IllegalArgumentException("sessions need a database file, not an in-memory database");
        }
        if (rest.regionMatches(true, 0, "file:", 0, 5)) {
            String uri = rest.substring(5);
            if (uri.startsWith("//")) {
                // file://host/path: SQLite accepts only an empty host or "localhost".
                int slash = uri.indexOf('/', 2);
                String host = slash < 0 ? uri.substring(2) : uri.substring(2, slash);
                if (!host.isEmpty() && !host.equalsIgnoreCase("localhost")) {
                    throw new IllegalArgumentException("a file: URI must name a local file, not one on host " + host);
                }
                uri = slash < 0 ? "" : uri.substring(slash);
            }
            if (uri.isEmpty()) {
                throw new IllegalArgumentException("the file: URI names no file");
            }
            return path(percentDecoded(uri));
        }
        return path(rest);
    }

    private static Path path(String text) {
        try {
            return requireOpenable(Path.of(text));
        } catch (InvalidPathException e) {
            throw new IllegalArgumentException("not a usable file name: " + e.getMessage());
        }
    }

    /**
     * Refuses a path with a '?' in it. SQLite files are opened through sqlite-jdbc's URL, which reads everything after
     * a '?' as parameters: the store, the lost-file check and a backup's integrity check would each open some other
     * file than the one named. Refused in words rather than opened wrongly.
     */
    static Path requireOpenable(Path file) {
        if (file.toString().indexOf('?') >= 0) {
            throw new IllegalArgumentException("an SQLite file path must not contain '?', which the SQLite driver"
                    + " reads as the start of URL parameters (it would open another file): " + file);
        }
        return file;
    }

    /** URI escapes ({@code %20}) to bytes, read as UTF-8; a '+' stays a '+', as in SQLite's own URI parser. */
    private static String percentDecoded(String uri) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(uri.length());
        for (int i = 0; i < uri.length(); i++) {
            char ch = uri.charAt(i);
            if (ch == '%') {
                if (i + 2 >= uri.length()) {
                    throw new IllegalArgumentException("the file: URI ends in an incomplete escape: " + uri);
                }
                try {
                    bytes.write(Integer.parseInt(uri.substring(i + 1, i + 3), 16));
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("the file: URI has a malformed escape: " + uri);
                }
                i += 2;
            } else {
                bytes.writeBytes(String.valueOf(ch).getBytes(StandardCharsets.UTF_8));
            }
        }
        return bytes.toString(StandardCharsets.UTF_8);
    }
}
