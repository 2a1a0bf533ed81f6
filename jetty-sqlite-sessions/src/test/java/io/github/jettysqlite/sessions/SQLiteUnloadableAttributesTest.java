package io.github.jettysqlite.sessions;

import java.nio.file.Path;

/** Attributes of classes a node cannot load, left out and kept, on a real SQLite file. */
class SQLiteUnloadableAttributesTest extends AbstractUnloadableAttributesTest {
    @Override
    StoreFixture newFixture(Path dir) {
        return SQLiteFixture.in(dir);
    }
}
