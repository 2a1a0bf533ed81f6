package io.github.jettysqlite.sessions;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.jettysqlite.sessions.internal.JulianDay;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Instant;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class JulianDayTest {
    private static final long FROM = Instant.parse("1970-01-01T00:00:00Z").toEpochMilli();
    private static final long TO = Instant.parse("2400-12-31T23:59:59.999Z").toEpochMilli();

    @Test
    void everyMillisecondOfChosenWindowsRoundTrips() {
        long[] windows = {FROM, Instant.parse("2026-11-24T12:00:00Z").toEpochMilli(), TO - 2_000_000};
        for (long start : windows) {
            for (long ms = start; ms < start + 2_000_000; ms++) {
                assertRoundTrips(ms);
            }
        }
    }

    @Test
    void randomMillisecondsFrom1970To2400RoundTrip() {
        SplittableRandom random = new SplittableRandom(20261124);
        for (int i = 0; i < 5_000_000; i++) {
            assertRoundTrips(random.nextLong(FROM, TO + 1));
        }
    }

    @Test
    void agreesWithSQLitesJulianday() throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite::memory:");
                PreparedStatement s = c.prepareStatement("SELECT julianday(?)")) {
            for (String instant :
                    new String[] {"1970-01-01T00:00:00.000Z", "2000-02-29T12:34:56.789Z", "2399-12-31T23:59:59.999Z"}) {
                s.setString(1, instant.replace("Z", ""));
                try (ResultSet r = s.executeQuery()) {
                    r.next();
                    long ms = Instant.parse(instant).toEpochMilli();
                    assertThat(JulianDay.fromEpochMillis(ms))
                            .isCloseTo(r.getDouble(1), org.assertj.core.data.Offset.offset(1e-8));
                }
            }
        }
    }

    @Test
    void laterInstantsHaveLargerJulianDays() {
        assertThat(JulianDay.fromEpochMillis(TO)).isGreaterThan(JulianDay.fromEpochMillis(TO - 1));
        assertThat(JulianDay.fromEpochMillis(FROM + 1)).isGreaterThan(JulianDay.fromEpochMillis(FROM));
    }

    private static void assertRoundTrips(long ms) {
        long back = JulianDay.toEpochMillis(JulianDay.fromEpochMillis(ms));
        if (back != ms) {
            throw new AssertionError(ms + " came back as " + back);
        }
    }
}
