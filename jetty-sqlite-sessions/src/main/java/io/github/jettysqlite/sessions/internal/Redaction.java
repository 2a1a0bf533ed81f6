package io.github.jettysqlite.sessions.internal;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Keeps secrets out of every message and stack trace this library produces about a database server. A JDBC URL can
 * carry a password in its query string ({@code ?password=...}) or before its host ({@code //user:password@host}),
 * and drivers and pools repeat the URL they were given in their own exceptions ("Failed to get driver instance for
 * jdbcUrl=..."), so a message is cleaned wherever it comes from, not only where this library writes a URL.
 */
public final class Redaction {
    private static final Pattern PASSWORD_PARAMETER = Pattern.compile("(?i)(password=)[^&\\s;,)'\"]*");
    private static final Pattern USER_INFO = Pattern.compile("(?i)(jdbc:[a-z]+://)[^/@\\s]*@");
    /** "user:password@" wherever it stands: drivers repeat the host part alone ("UnknownHostException: u:p@host"). */
    private static final Pattern CREDENTIALS_AT = Pattern.compile("[^\\s/@:]*:[^\\s/@]*@");

    private static final String HIDDEN = "***";

    private Redaction() {}

    /** How many characters of a session id a log line shows: enough to tell sessions apart, too few to use one. */
    private static final int ID_SHOWN = 10;

    /**
     * A session id as a log line about a session still live somewhere may show it: its start and a short hash of the
     * whole, since whoever reads the log could otherwise present the id as a cookie. The start alone would not tell
     * sessions apart where Jetty's worker name, which begins every id, is ten characters or longer (a host name); the
     * hash does, the same on every node, so an operator can follow one session through the logs of several.
     */
    public static String sessionId(String id) {
        return id == null || id.length() <= ID_SHOWN ? id : id.substring(0, ID_SHOWN) + "...#" + shortHash(id);
    }

    /** The first 32 bits of the id's SHA-256, in hex: far too few to find the id again among its random bits. */
    private static String shortHash(String id) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(id.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest, 0, 4);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }

    /** The URL as messages may show it: without its query string and without user information. */
    public static String url(String url) {
        int query = url.indexOf('?');
        String base = query < 0 ? url : url.substring(0, query);
        return USER_INFO.matcher(base).replaceAll("$1");
    }

    /** The text with every password parameter, user information and the given password (if any) hidden. */
    public static String text(String text, String password) {
        if (text == null) {
            return null;
        }
        String clean = PASSWORD_PARAMETER.matcher(text).replaceAll("$1" + HIDDEN);
        clean = USER_INFO.matcher(clean).replaceAll("$1");
        clean = CREDENTIALS_AT.matcher(clean).replaceAll("");
        if (password != null && !password.isEmpty()) {
            clean = clean.replace(password, HIDDEN);
        }
        return clean;
    }

    /**
     * The exception and its causes as they are when no message holds a secret; otherwise copies of them (same
     * SQLSTATE, same stack traces) with the secrets hidden, so not even a stack trace printed later shows one.
     */
    public static Exception scrubbed(Exception e, String password) {
        List<Throwable> chain = new ArrayList<>();
        boolean dirty = false;
        for (Throwable t = e; t != null && chain.size() < 20; t = t.getCause()) {
            chain.add(t);
            String message = t.getMessage();
            dirty |= message != null && !message.equals(text(message, password));
        }
        if (!dirty) {
            return e;
        }
        Throwable cause = null;
        for (int i = chain.size() - 1; i >= 0; i--) {
            Throwable original = chain.get(i);
            String message = text(original.getMessage(), password);
            Throwable copy = original instanceof SQLException sql
                    ? new SQLException(message, sql.getSQLState(), sql.getErrorCode(), cause)
                    : new RuntimeException(original.getClass().getName() + ": " + message, cause);
            copy.setStackTrace(original.getStackTrace());
            cause = copy;
        }
        return (Exception) cause;
    }
}
