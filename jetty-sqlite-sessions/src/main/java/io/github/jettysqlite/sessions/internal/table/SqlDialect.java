package io.github.jettysqlite.sessions.internal.table;

/**
 * The few places where the engines spell the same statement differently, and each engine's schema. The statements are
 * built from these pieces, so every engine shares one table layout and one list of statements. SQLite's dialect is
 * here; another engine brings its own from its jar, so that this one names no other engine.
 */
public abstract class SqlDialect {
    /** SQLite's, which the store of this jar speaks. */
    public static final SqlDialect SQLITE = new SQLiteDialect();

    /** Column type for epoch milliseconds. */
    public final String millisType;
    /** Column type for the Julian-day expiry: 64-bit floating point in every engine, so all hold equal values. */
    public final String julianDayType;
    /** Column type for the serialized attributes. */
    public final String bytesType;
    /**
     * What names a row in a bounded batch delete ({@code WHERE <locator> IN (SELECT <locator columns> ... LIMIT ?)}):
     * SQLite's rowid, PostgreSQL's primary key as a row value.
     */
    public final String rowLocator;
    /** The functions that take the larger and the smaller of two values. */
    private final String greatest;

    private final String least;

    protected SqlDialect(
            String millisType,
            String julianDayType,
            String bytesType,
            String rowLocator,
            String greatest,
            String least) {
        this.millisType = millisType;
        this.julianDayType = julianDayType;
        this.bytesType = bytesType;
        this.rowLocator = rowLocator;
        this.greatest = greatest;
        this.least = least;
    }

    /** The table's DDL, layout version and upgrades on this engine. */
    public abstract SessionSchema schema(SessionTable table);

    /**
     * Refuses a table name this engine cannot hold whole, though it is a plain identifier.
     *
     * @throws IllegalArgumentException saying why
     */
    public void checkTableName(String name) {}

    /**
     * Deletes at most a bound parameter's number of rows: {@code rowsFromWhere} is the {@code FROM ... WHERE ...} part
     * choosing them.
     */
    public String deleteBatch(String table, String rowsFromWhere) {
        String columns = rowLocator.startsWith("(") ? rowLocator.substring(1, rowLocator.length() - 1) : rowLocator;
        return "DELETE FROM " + table + " WHERE " + rowLocator + " IN (SELECT " + columns + rowsFromWhere + " LIMIT ?)";
    }

    /** The clause after a table name that binds a query to one index, or nothing where the engine has none. */
    public abstract String pinnedTo(String index);

    /** A table expression named {@code alias} with one row per element of a JSON array of strings, as column value. */
    public abstract String jsonArrayElements(String parameter, String alias);

    /** The larger of two values. */
    public String greatest(String a, String b) {
        return greatest + "(" + a + ", " + b + ")";
    }

    /** The smaller of two non-null values. */
    public String least(String a, String b) {
        return least + "(" + a + ", " + b + ")";
    }

    /** What follows a SELECT inside a write transaction so that no other writer changes its rows before commit. */
    public abstract String lockingTheRowsRead();

    /** The first {@code count} bytes of a binary column. */
    public abstract String leadingBytes(String column, int count);
}
