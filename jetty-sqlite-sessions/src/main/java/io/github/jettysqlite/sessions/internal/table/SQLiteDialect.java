package io.github.jettysqlite.sessions.internal.table;

/** SQLite's spelling of the statements. Reached only as {@link SqlDialect#SQLITE}, the one instance. */
final class SQLiteDialect extends SqlDialect {
    SQLiteDialect() {
        super("INTEGER", "REAL", "BLOB", "rowid", "max", "min");
    }

    @Override
    public SessionSchema schema(SessionTable table) {
        return new SQLiteSchema(table);
    }

    @Override
    public String pinnedTo(String index) {
        // Without statistics SQLite may prefer the primary key's context prefix; INDEXED BY also makes it fail
        // rather than scan should the index become unusable.
        return " INDEXED BY " + index;
    }

    @Override
    public String jsonArrayElements(String parameter, String alias) {
        return "json_each(" + parameter + ") AS " + alias;
    }

    @Override
    public String lockingTheRowsRead() {
        // The group-commit writer's BEGIN IMMEDIATE already holds the file's write lock.
        return "";
    }

    @Override
    public String leadingBytes(String column, int count) {
        return "substr(" + column + ", 1, " + count + ")";
    }
}
