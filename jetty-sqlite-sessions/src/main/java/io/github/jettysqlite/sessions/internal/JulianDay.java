package io.github.jettysqlite.sessions.internal;

/**
 * Converts between Jetty's epoch milliseconds and SQLite's Julian-day numbers ({@code julianday()} scale).
 *
 * <p>The expiry column holds Julian days so that an operator can compare it with {@code julianday('now')} in
 * plain SQL, and so that the store can compare the bare, indexed column with a bound parameter. A double carries
 * 53 bits: a Julian day between 1970 and 2400 needs 22 of them for the whole days, which leaves a resolution of
 * about 40 microseconds, so every millisecond in that range survives the round trip exactly.
 */
public final class JulianDay {
    /** The Julian day of 1970-01-01T00:00:00Z. */
    public static final double UNIX_EPOCH = 2440587.5;

    private static final double MILLIS_PER_DAY = 86_400_000.0;

    private JulianDay() {}

    public static double fromEpochMillis(long epochMillis) {
        return UNIX_EPOCH + epochMillis / MILLIS_PER_DAY;
    }

    /**
     * The subtraction is exact (both operands lie within a factor of two of each other for every date after the
     * year 1000), so only the multiplication rounds, by far less than half a millisecond.
     */
    public static long toEpochMillis(double julianDay) {
        return Math.round((julianDay - UNIX_EPOCH) * MILLIS_PER_DAY);
    }
}
