package io.github.jettysqlite.sessions.postgresql;

import io.github.jettysqlite.sessions.SessionTableSettings;
import io.github.jettysqlite.sessions.internal.DatabaseLocation;
import io.github.jettysqlite.sessions.internal.Redaction;
import io.github.jettysqlite.sessions.internal.engine.StoreEngine;
import io.github.jettysqlite.sessions.postgresql.internal.PostgreSQLConnectionSettings;
import io.github.jettysqlite.sessions.postgresql.internal.PostgreSQLDatabase;
import io.github.jettysqlite.sessions.postgresql.internal.PostgreSQLDialect;
import javax.naming.InitialContext;
import javax.naming.NamingException;
import javax.sql.DataSource;

/**
 * Where and how a {@link PostgreSQLSessionDataStore} reaches its server: a JDBC URL (the store builds and owns a
 * HikariCP pool), an application's own {@link DataSource}, or the JNDI name of one, plus the settings every engine
 * shares. Every node of a cluster names the same database.
 */
public class PostgreSQLSessionSettings extends SessionTableSettings {
    public static final int DEFAULT_POOL_SIZE = 10;
    public static final int DEFAULT_CONNECTION_TIMEOUT_MS = 5_000;

    private String url;
    private String user;
    private String password;
    private DataSource dataSource;
    private String dataSourceName;
    private int poolSize = DEFAULT_POOL_SIZE;
    private int connectionTimeoutMs = DEFAULT_CONNECTION_TIMEOUT_MS;
    private Object metricRegistry;

    static {
        StoreEngine.register(PostgreSQLSessionSettings.class, PostgreSQLDialect.INSTANCE, (settings, table, use) -> {
            try {
                return PostgreSQLDatabase.acquire(settings.connection(), table, use, false);
            } catch (NoClassDefFoundError e) {
                throw new IllegalStateException(
                        "Sessions on PostgreSQL need org.postgresql:postgresql and com.zaxxer:HikariCP on the class"
                                + " path (in jetty-home: the session-store-postgresql module's lib/); missing: "
                                + e.getMessage(),
                        e);
            }
        });
    }

    public PostgreSQLSessionSettings() {}

    public PostgreSQLSessionSettings(String url) {
        setUrl(url);
    }

    @Override
    protected String engine() {
        return "PostgreSQL";
    }

    @Override
    protected int databaseWaitMs() {
        return connectionTimeoutMs;
    }

    @Override
    public void validate() {
        super.validate();
        checked("connectionTimeoutMs", () -> requireAtLeast(250, connectionTimeoutMs, "connectionTimeoutMs"));
        checked("poolSize", () -> requireAtLeast(1, poolSize, "poolSize"));
        checked(dataSource != null || dataSourceName != null ? "dataSource" : "url", this::requireOneWayToConnect);
    }

    /**
     * What connecting needs, checked; a JNDI name is looked up now, so the lookup fails start-up in words.
     *
     * @throws IllegalArgumentException naming the setting that is wrong
     */
    PostgreSQLConnectionSettings connection() {
        validate();
        DataSource source = dataSource;
        if (dataSourceName != null) {
            source = checked("dataSourceName", () -> lookup(dataSourceName));
        }
        DataSource given = source;
        return checked(
                given != null ? "dataSource" : "url",
                () -> new PostgreSQLConnectionSettings(
                        url, user, password, poolSize, connectionTimeoutMs, given, metricRegistry));
    }

    private Object requireOneWayToConnect() {
        int ways = (url != null ? 1 : 0) + (dataSource != null ? 1 : 0) + (dataSourceName != null ? 1 : 0);
        if (ways != 1) {
            throw new IllegalArgumentException("set exactly one of url, dataSource and dataSourceName, not " + ways);
        }
        if (url != null && !(DatabaseLocation.parse(url) instanceof DatabaseLocation.PostgreSQLUrl)) {
            throw new IllegalArgumentException("not a jdbc:postgresql: URL: " + Redaction.url(url)
                    + " (an SQLite file needs the SQLite session store)");
        }
        return null;
    }

    /** As Jetty's own JDBC store does: the name as given, then under {@code java:comp/env/}. */
    private static DataSource lookup(String name) {
        try {
            InitialContext context = new InitialContext();
            Object found;
            try {
                found = context.lookup(name);
            } catch (NamingException notThere) {
                found = context.lookup("java:comp/env/" + name);
            }
            if (!(found instanceof DataSource source)) {
                throw new IllegalArgumentException("JNDI name " + name + " is bound to "
                        + (found == null ? "nothing" : found.getClass().getName()) + ", not a javax.sql.DataSource");
            }
            return source;
        } catch (NamingException e) {
            throw new IllegalArgumentException("no DataSource is bound to JNDI name " + name + ": " + e.getMessage());
        }
    }

    /** The JDBC URL as JMX and messages show it: without its query string or user information. */
    public String getUrl() {
        return url == null ? null : Redaction.url(url);
    }

    /**
     * The server: {@code jdbc:postgresql://host:port/database}. The store builds a HikariCP pool of {@link
     * #setPoolSize poolSize} connections to it, shared by every store with the same URL and user.
     */
    public void setUrl(String url) {
        this.url = url == null || url.isBlank() ? null : url.trim();
    }

    public String getUser() {
        return user;
    }

    /** The user, unless the URL names one. */
    public void setUser(String user) {
        this.user = user == null || user.isBlank() ? null : user;
    }

    /** The password, unless the URL holds one. Never shown by JMX or in messages. */
    public void setPassword(String password) {
        this.password = password == null || password.isEmpty() ? null : password;
    }

    public DataSource getDataSource() {
        return dataSource;
    }

    /**
     * An application-owned, pooled data source on PostgreSQL, instead of a URL; the store never closes it. Its
     * server's URL names it in messages.
     */
    public void setDataSource(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    public String getDataSourceName() {
        return dataSourceName;
    }

    /**
     * The JNDI name of a data source on PostgreSQL (as Jetty's {@code session-store-jdbc} takes with {@code
     * db-connection-type=datasource}), looked up when the store starts: as given, then under {@code java:comp/env/}.
     */
    public void setDataSourceName(String dataSourceName) {
        this.dataSourceName = dataSourceName == null || dataSourceName.isBlank() ? null : dataSourceName.trim();
    }

    public int getPoolSize() {
        return poolSize;
    }

    /** With a URL, the most connections the pool opens (one pool per URL and user). Default 10. */
    public void setPoolSize(int poolSize) {
        this.poolSize = poolSize;
    }

    public int getConnectionTimeoutMs() {
        return connectionTimeoutMs;
    }

    /**
     * With a URL, how long a request waits for a free pooled connection, and start-up for the server, before failing
     * in words; a statement the server has not answered in twice this is given up, and its connection closed, and the
     * server is asked to cancel a statement a second before that ({@code statement_timeout}); the schema's creation
     * and the administrator's tools excepted. Default 5000.
     */
    public void setConnectionTimeoutMs(int connectionTimeoutMs) {
        this.connectionTimeoutMs = connectionTimeoutMs;
    }

    public Object getMetricRegistry() {
        return metricRegistry;
    }

    /**
     * With a URL, a Micrometer {@code MeterRegistry} (or a Dropwizard {@code MetricRegistry}) the connection pool
     * reports to, through HikariCP's own metrics ({@code hikaricp.connections...}, pool {@code jetty-sessions
     * <server>}). Null (the default): no pool metrics.
     */
    public void setMetricRegistry(Object metricRegistry) {
        this.metricRegistry = metricRegistry;
    }
}
