package io.github.jettysqlite.sessions.internal.sqlite;

import io.github.jettysqlite.sessions.internal.CachedConnection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.IdentityHashMap;
import java.util.Map;
import org.sqlite.core.CoreResultSet;

/**
 * Runs a prepared query of one sqlite-jdbc connection again without the driver asking SQLite for its column names
 * again. sqlite-jdbc forgets a query's column names whenever its result set closes, and at the query's next run asks
 * for each of them (a JNI call and a new string per column). The store reads columns by position, and a prepared
 * query's columns do not change, so that was pure cost: a quarter of a load's read of its eleven columns on the
 * development machine (8.8 µs against 6.5 µs a read; {@code ColumnNamesProbe} in the benchmarks measures it).
 *
 * <p>The driver keeps one result set object per statement for every run, and asks SQLite for the names only when
 * that object holds none as the result set is handed out; so a run after the first executes the statement, gives the
 * result set the names of the first run back, and only then asks for it. A statement whose result set is not sqlite-jdbc's own (a test's
 * wrapper around the connection) runs as usual. Not thread-safe, like the connection it serves.
 */
final class SQLiteQueries implements CachedConnection.Queries {
    /** A statement's result set object, and the column names its first run reported. */
    private record Known(CoreResultSet results, String[] names) {}

    private final Map<PreparedStatement, Known> known = new IdentityHashMap<>();

    @Override
    public ResultSet run(PreparedStatement query) throws SQLException {
        Known first = known.get(query);
        if (first == null) {
            ResultSet results = query.executeQuery();
            if (results instanceof CoreResultSet core && core.colsMeta != null) {
                known.put(query, new Known(core, core.colsMeta));
            }
            return results;
        }
        query.execute();
        first.results().colsMeta = first.names();
        return query.getResultSet();
    }

    @Override
    public void forget() {
        known.clear();
    }
}
