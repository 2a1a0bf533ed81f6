package io.github.jettysqlite.sessions;

import static io.github.jettysqlite.sessions.StoreFixture.NODE;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.eclipse.jetty.session.SessionContext;
import org.eclipse.jetty.session.SessionData;
import org.junit.jupiter.api.Test;

/** Protected session ids on a real SQLite file. */
class SQLiteProtectedIdsTest extends AbstractProtectedIdsTest {
    @Override
    StoreFixture newFixture(Path dir) {
        return SQLiteFixture.in(dir);
    }

    @Test
    void withEncryptionTheFileAndItsBackupHoldNeitherIdsNorAttributeValues() throws Exception {
        Path keyFile = dir.resolve("file.key");
        Files.writeString(keyFile, "k9-0123456789abcdef0123456789abcdef\n");
        SQLiteFixture fixture = SQLiteFixture.in(dir.resolve("scanned"));
        try (fixture) {
            SessionTableDataStore store = fixture.store(NODE, "/app", SessionContext.NULL_VHOST, s -> {
                s.setAttributeKey("file:" + keyFile);
                s.setEncryptAttributes(true);
            });
            SessionData data =
                    StoreFixture.session(store, "node0secretid", System.currentTimeMillis() + 3_600_000, NODE);
            data.setAttribute("email", "plaintext-marker@example.org");
            StoreFixture.put(store, data);
            Path backup = dir.resolve("backup.db");
            store.admin().backup(backup, false, (done, total) -> {});

            for (Path file : new Path[] {fixture.file(), Path.of(fixture.file() + "-wal"), backup}) {
                if (Files.exists(file)) {
                    String bytes = new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1);
                    assertThat(bytes)
                            .as(file.getFileName().toString())
                            .doesNotContain("node0secretid")
                            .doesNotContain("plaintext-marker");
                }
            }
            assertThat(store.load("node0secretid").getAttribute("email")).isEqualTo("plaintext-marker@example.org");
        }
    }
}
