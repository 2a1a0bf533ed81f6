package io.github.jettysqlite.sessions;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.jettysqlite.sessions.support.TestServer;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import javax.management.MBeanInfo;
import javax.management.MBeanServer;
import javax.management.MBeanServerFactory;
import javax.management.ObjectName;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.jmx.MBeanContainer;
import org.eclipse.jetty.server.Server;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The store as an operator reaches it over JMX, through a real server's {@code MBeanContainer}: every attribute and
 * operation keeps the name and description operators and the docs know, whichever class declares it (the store, or
 * {@code jmx.SessionTableDataStoreMBean} for what only JMX uses), and the operations act on the store.
 */
class StoreMBeanTest {
    private static final String STORES = "io.github.jettysqlite.sessions:type=sqlitesessiondatastore,*";

    /**
     * What the store showed operators before its JMX-only surface moved to {@code jmx.SessionTableDataStoreMBean}:
     * our own attributes and operations (Jetty's, such as {@code gracePeriodSec}, vary with its version and are left
     * out), each with its type, signature, impact and description.
     */
    private static final List<String> OURS = List.of(
            "attribute busyTimeoutMs int: ms a write waits for another process's lock, and a read for a connection",
            "attribute checkpoints java.lang.String: who checkpoints the write-ahead log: STORE, or EXTERNAL (another process, such as Litestream)",
            "attribute contextPath java.lang.String: the context whose sessions this store keeps (canonical path)",
            "attribute databaseFile java.lang.String: the SQLite database file, as configured",
            "attribute databaseFileLost java.lang.String: why writes are refused: the database file was deleted or replaced while in use (null while it is the file opened)",
            "attribute deserializationFilter java.lang.String: the filter every attribute is deserialized through",
            "attribute fileSizeBytes long: size of the database file in bytes",
            "attribute forcedCheckpoints long: checkpoints that restarted the WAL because it outgrew 4,000 pages",
            "attribute journalMode java.lang.String: SQLite's journal mode (wal)",
            "attribute maxReaders int: the most read connections open at once",
            "attribute passivating boolean: does this store serialize sessions",
            "attribute saveInPlaceChanges boolean: are attributes changed in place (without setAttribute) saved",
            "attribute schemaMode java.lang.String: who keeps the table's schema: create (the store), validate or none (the database's administrator)",
            "attribute schemaVersion int: schema version of the session table layout",
            "attribute sealing boolean: are attribute blobs sealed with a secret key",
            "attribute synchronous java.lang.String: SQLite's synchronous mode for commits",
            "attribute tableName java.lang.String: the table holding the sessions",
            "attribute virtualHost java.lang.String: the context's virtual host, as sessions are keyed by it",
            "attribute walSizeBytes long: size of the write-ahead log in bytes",
            "operation backup(java.lang.String file (the backup file to write), boolean overwrite (replace the file if it exists)) java.lang.String impact 1: copy the live database to a file with SQLite's online backup; an existing file is replaced only with overwrite=true",
            "operation countExpiredSessions() long impact 0: count expired sessions of all contexts not yet removed (runs a query)",
            "operation countRowsBySeal() java.util.Map<java.lang.String, java.lang.Long> impact 0: count the table's rows by how they are sealed (unsealed, sealed under which key id); runs a query",
            "operation countSessions() long impact 0: count the sessions in the table, all contexts (runs a query)",
            "operation countSessionsInContext() long impact 0: count this context's sessions (runs a query)",
            "operation endSessionsOfPrincipal(java.lang.String principal (user name)) int impact 1: end this context's sessions of a user, as invalidate() would (listeners run); returns how many",
            "operation listSessionsOfPrincipal(java.lang.String principal (user name)) java.util.List<java.lang.String> impact 0: this context's sessions of a user: id, creation and last access (runs a query)",
            "operation purgeExpiredSessions() long impact 1: delete the sessions of every context that expired more than the grace period ago; returns how many",
            "operation sealRows() java.lang.String impact 1: seal every row of the table under this store's attributeKey, in place, a page at a time (rows without a seal only while acceptUnsealedRows is on); returns what it did");

    @TempDir
    Path dir;

    private Server server;
    private MBeanServer mbeans;
    private ObjectName storeOfA;

    @BeforeEach
    void start() throws Exception {
        // A server of its own, so no other test's beans are seen.
        mbeans = MBeanServerFactory.newMBeanServer();
        server = TestServer.start(dir.resolve("sessions.db"), 0, new MBeanContainer(mbeans));
        for (ObjectName name : mbeans.queryNames(new ObjectName(STORES), null)) {
            if ("_a".equals(mbeans.getAttribute(name, "contextPath"))) {
                storeOfA = name;
            }
        }
        assertThat(storeOfA).as("the store of context /a is registered").isNotNull();
    }

    @AfterEach
    void stop() throws Exception {
        server.stop();
    }

    @Test
    void attributesAndOperationsKeepTheirNamesAndDescriptions() throws Exception {
        MBeanInfo info = mbeans.getMBeanInfo(storeOfA);
        Stream<String> attributes = Arrays.stream(info.getAttributes())
                .map(a -> "attribute " + a.getName() + " " + a.getType() + (a.isWritable() ? " rw: " : ": ")
                        + a.getDescription());
        Stream<String> operations = Arrays.stream(info.getOperations())
                .map(o -> "operation " + o.getName()
                        + Arrays.stream(o.getSignature())
                                .map(p -> p.getType() + " " + p.getName() + " (" + p.getDescription() + ")")
                                .collect(Collectors.joining(", ", "(", ")"))
                        + " " + o.getReturnType() + " impact " + o.getImpact() + ": " + o.getDescription());
        assertThat(Stream.concat(attributes, operations).toList()).containsAll(OURS);
    }

    @Test
    void aUsersSessionsAreListedAndEndedThroughTheStoresOperations() throws Exception {
        String first = logIn("alice");
        String second = logIn("alice");
        logIn("bob");
        String[] byName = {String.class.getName()};

        @SuppressWarnings("unchecked")
        List<String> listed =
                (List<String>) mbeans.invoke(storeOfA, "listSessionsOfPrincipal", new Object[] {"alice"}, byName);
        assertThat(listed).hasSize(2).allSatisfy(line -> assertThat(line).contains(" created ", " last access "));
        assertThat(listed).anySatisfy(line -> assertThat(line).startsWith(first + " "));
        assertThat(listed).anySatisfy(line -> assertThat(line).startsWith(second + " "));

        @SuppressWarnings("unchecked")
        Map<String, Long> bySeal = (Map<String, Long>) mbeans.invoke(storeOfA, "countRowsBySeal", null, null);
        assertThat(bySeal).containsExactly(Map.entry("unsealed", 3L));

        assertThat(mbeans.invoke(storeOfA, "endSessionsOfPrincipal", new Object[] {"alice"}, byName))
                .isEqualTo(2);
        assertThat(mbeans.invoke(storeOfA, "listSessionsOfPrincipal", new Object[] {"alice"}, byName))
                .asList()
                .isEmpty();
        assertThat(mbeans.invoke(storeOfA, "listSessionsOfPrincipal", new Object[] {"bob"}, byName))
                .asList()
                .hasSize(1);
        assertThat(mbeans.invoke(storeOfA, "countSessionsInContext", null, null))
                .as("ended sessions leave the table")
                .isEqualTo(1L);
    }

    /** A new session of context /a, its row naming {@code user} as logged in; returns its id. */
    private String logIn(String user) throws Exception {
        // A client of its own each time, so that no cookie makes two logins one session.
        HttpClient client = new HttpClient();
        client.start();
        try {
            String url = "http://127.0.0.1:" + TestServer.port(server) + "/a/?set=" + UserSessions.PRINCIPAL_ATTRIBUTE
                    + "=" + user;
            return client.GET(url).getContentAsString();
        } finally {
            client.stop();
        }
    }
}
