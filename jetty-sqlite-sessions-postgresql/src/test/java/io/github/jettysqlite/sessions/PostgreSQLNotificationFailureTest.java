package io.github.jettysqlite.sessions;

import static io.github.jettysqlite.sessions.StoreFixture.OTHER_NODE;
import static io.github.jettysqlite.sessions.StoreFixture.put;
import static io.github.jettysqlite.sessions.StoreFixture.session;
import static org.assertj.core.api.Assertions.assertThat;

import io.github.jettysqlite.sessions.postgresql.PostgreSQLSessionDataStore;
import io.github.jettysqlite.sessions.postgresql.PostgreSQLSessionSettings;
import io.github.jettysqlite.sessions.support.PostgreSQLRequired;
import io.github.jettysqlite.sessions.support.PostgreSQLServer;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.sql.DataSource;
import org.eclipse.jetty.session.SessionContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * A write whose notification fails after its commit (its connection reset at that moment, a full notification queue):
 * the write stands, is never run twice, and its notification is sent once more on another connection. Watched from a
 * connection listening on the channel, as another node's would, in a database of the test's own (notifications go to
 * every listener of a database, and other tests' stores may be writing in theirs).
 */
@ExtendWith(PostgreSQLRequired.class)
class PostgreSQLNotificationFailureTest {
    private static final long HOUR = 3_600_000;
    private static final String CHANNEL = "jetty_sessions_changes";

    private final String database = "notify_" + ProcessHandle.current().pid() + "_" + System.nanoTime();
    private String url;
    /** Notification statements still to fail, whichever connection sends them. */
    private final AtomicInteger failuresLeft = new AtomicInteger();

    private final List<AutoCloseable> opened = new ArrayList<>();
    private PostgreSQLSessionDataStore store;
    private Connection listening;
    private String node;

    @BeforeEach
    void start() throws Exception {
        try (Connection c = DriverManager.getConnection(PostgreSQLServer.get().url());
                Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE " + database);
        }
        url = inDatabase(PostgreSQLServer.get().url(), database);
        PGSimpleDataSource real = new PGSimpleDataSource();
        real.setURL(url);
        PostgreSQLSessionSettings settings = new PostgreSQLSessionSettings();
        settings.setDataSource(failingNotifications(real));
        store = new PostgreSQLFixture(url)
                .start(new PostgreSQLSessionDataStore(settings), OTHER_NODE, "/app", SessionContext.NULL_VHOST);
        listening = DriverManager.getConnection(url);
        opened.add(listening);
        try (Statement s = listening.createStatement()) {
            s.execute("LISTEN " + CHANNEL);
        }
    }

    @AfterEach
    void stop() throws Exception {
        if (store != null) {
            store.stop();
        }
        for (AutoCloseable c : opened) {
            c.close();
        }
        try (Connection c = DriverManager.getConnection(PostgreSQLServer.get().url());
                Statement s = c.createStatement()) {
            s.execute("DROP DATABASE IF EXISTS " + database + " WITH (FORCE)");
        }
    }

    /** The server's URL naming another database, its parameters kept. */
    private static String inDatabase(String serverUrl, String name) {
        Matcher m = Pattern.compile("^(jdbc:postgresql://[^/?]*/)([^?]*)(.*)$").matcher(serverUrl);
        if (!m.matches()) {
            throw new IllegalStateException("Cannot name another database in " + serverUrl);
        }
        return m.group(1) + name + m.group(3);
    }

    @Test
    void aLogoutWhoseNotificationFailsOnItsConnectionIsSentOnAnotherAndDeletesOnce() throws Exception {
        put(store, session(store, "s1", System.currentTimeMillis() + HOUR, OTHER_NODE));
        learnNode();
        failuresLeft.set(1);

        assertThat(store.delete("s1"))
                .as("the delete ran once: run again, it would find no row")
                .isTrue();

        assertThat(failuresLeft.get()).as("the first notification failed").isZero();
        assertThat(store.load("s1")).isNull();
        assertThat(received()).as("sent once more, on another connection").hasSize(1);
        assertThat(store.getStatistics().getChangesNotAnnounced()).isZero();
    }

    @Test
    void aLogoutWhoseNotificationCannotBeSentStillStands() throws Exception {
        put(store, session(store, "s2", System.currentTimeMillis() + HOUR, OTHER_NODE));
        put(store, session(store, "s3", System.currentTimeMillis() + HOUR, OTHER_NODE));
        learnNode();
        failuresLeft.set(2);

        assertThat(store.delete("s2")).isTrue();

        assertThat(failuresLeft.get()).as("both attempts failed").isZero();
        assertThat(store.load("s2")).isNull();
        // A later write's notification goes through; nothing of the lost one arrives before or with it.
        assertThat(store.getStatistics().getChangesNotAnnounced())
                .as("counted for operators")
                .isEqualTo(1);
        assertThat(store.delete("s3")).isTrue();
        assertThat(received()).hasSize(1);
        assertThat(store.getStatistics().getChangesNotAnnounced()).isEqualTo(1);
    }

    /** The name this store's node gives itself in its notifications, from those its creations sent. */
    private void learnNode() throws SQLException {
        List<String> all = allReceived();
        assertThat(all).as("the creations were announced").isNotEmpty();
        String last = all.get(all.size() - 1);
        node = last.substring(0, last.indexOf(' ') + 1);
    }

    /** This store's notifications received so far (another test's on the same server are not counted). */
    private List<String> received() throws SQLException {
        return allReceived().stream().filter(p -> p.startsWith(node)).toList();
    }

    /** The notifications the listening connection has received so far, after a round trip that delivers them. */
    private List<String> allReceived() throws SQLException {
        try (Statement s = listening.createStatement()) {
            s.execute("SELECT 1");
        }
        PGNotification[] notifications = listening.unwrap(PGConnection.class).getNotifications();
        List<String> payloads = new ArrayList<>();
        if (notifications != null) {
            for (PGNotification n : notifications) {
                payloads.add(n.getParameter());
            }
        }
        return payloads;
    }

    /** The real data source, whose connections fail a notification statement while failures are left. */
    private DataSource failingNotifications(DataSource real) {
        return (DataSource)
                Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {DataSource.class}, (p, m, args) -> {
                    Object result = invoke(real, m, args);
                    return result instanceof Connection c ? failing(c) : result;
                });
    }

    private Connection failing(Connection real) {
        return (Connection)
                Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {Connection.class}, (p, m, args) -> {
                    if (m.getName().equals("prepareStatement")
                            && String.valueOf(args[0]).contains("pg_notify")
                            && failuresLeft.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                        throw new SQLException("connection reset while notifying", "08006");
                    }
                    return invoke(real, m, args);
                });
    }

    private static Object invoke(Object target, java.lang.reflect.Method m, Object[] args) throws Throwable {
        try {
            return m.invoke(target, args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }
}
