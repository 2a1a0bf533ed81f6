package io.github.jettysqlite.benchmarks;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.github.jettysqlite.sessions.postgresql.PostgreSQLSessionDataStore;
import io.github.jettysqlite.sessions.postgresql.PostgreSQLSessionSettings;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;
import org.eclipse.jetty.session.DatabaseAdaptor;
import org.eclipse.jetty.session.JDBCSessionDataStore;

/**
 * This library's store on PostgreSQL beside Jetty's {@code JDBCSessionDataStore} on the same server, each in a
 * schema of its own and each given the same HikariCP pool (10 connections, all kept open), measured cell by cell
 * as the SQLite operations are. Runs only when a server is named ({@code --postgres-url} or
 * {@code JSS_POSTGRES_URL}).
 */
final class PostgreSQLBench {
    static final List<String> SUBJECTS = List.of("postgres-store", "postgres-jdbc-hikari");

    private final Options options;
    private final Report report;
    private final Bench bench;

    PostgreSQLBench(Options options, Report report, Bench bench) {
        this.options = options;
        this.report = report;
        this.bench = bench;
    }

    void run() throws Exception {
        String url = options.postgresUrl();
        if (url == null || url.isBlank()) {
            System.out.println("postgres: skipped, no server named (--postgres-url or JSS_POSTGRES_URL)");
            report.postgresSkipped();
            return;
        }
        Map<String, Subject> subjects = new LinkedHashMap<>();
        List<String> schemas = new ArrayList<>();
        try {
            for (String name : SUBJECTS) {
                String schema = "bench_" + ProcessHandle.current().pid() + "_" + name.replace('-', '_');
                schemas.add(schema);
                HikariDataSource pool = pool(url, schema);
                subjects.put(name, new StoreSubject(name, store(name, pool, schema), pool));
            }
            measure(subjects);
        } finally {
            for (Subject subject : subjects.values()) {
                subject.close();
            }
            dropSchemas(url, schemas);
        }
    }

    private static org.eclipse.jetty.session.AbstractSessionDataStore store(
            String name, HikariDataSource pool, String schema) {
        if (name.equals("postgres-store")) {
            PostgreSQLSessionSettings settings = new PostgreSQLSessionSettings();
            settings.setDataSource(pool);
            return new PostgreSQLSessionDataStore(settings);
        }
        DatabaseAdaptor adaptor = new DatabaseAdaptor();
        adaptor.setDatasource(pool);
        JDBCSessionDataStore store = new JDBCSessionDataStore();
        store.setDatabaseAdaptor(adaptor);
        // Otherwise Jetty looks for its table in every schema and, finding one elsewhere, does not create its own.
        JDBCSessionDataStore.SessionTableSchema table = new JDBCSessionDataStore.SessionTableSchema();
        table.setSchemaName(schema);
        store.setSessionTableSchema(table);
        return store;
    }

    private void measure(Map<String, Subject> subjects) throws Exception {
        int baseCount = Math.max(options.baseSessions(), bench.maxThreads());
        Shape shape = options.primaryShape();
        for (int size : options.sizes()) {
            Map<String, List<BenchSession>> bases = new HashMap<>();
            Map<String, ConcurrentLinkedQueue<String>> created = new HashMap<>();
            AtomicLong sequence = new AtomicLong();
            for (Subject subject : subjects.values()) {
                bases.put(subject.name(), Bench.base(subject, size, shape, baseCount));
                created.put(subject.name(), new ConcurrentLinkedQueue<>());
            }
            // The first cell, this store's, must not pay alone for the JVM's warm-up (see Bench.settle).
            List<Operation> measured = Operation.STORE_OPERATIONS.stream()
                    .filter(options.operations()::contains)
                    .toList();
            bench.settle(subjects, measured, size, shape, bases, created, sequence);
            for (Operation op : measured) {
                Map<String, List<ConcurrentLinkedQueue<String>>> toDelete = new HashMap<>();
                if (op == Operation.DELETE) {
                    created.forEach((name, ids) -> toDelete.put(name, bench.split(ids)));
                }
                boolean first = true;
                for (int threads : options.threads()) {
                    for (Subject subject : subjects.values()) {
                        String name = subject.name();
                        ConcurrentLinkedQueue<String> ids =
                                op == Operation.DELETE ? toDelete.get(name).remove(0) : created.get(name);
                        Measure.Op body = Bench.body(subject, op, size, shape, threads, bases.get(name), ids, sequence);
                        long warmup = first ? options.firstWarmupMs() : options.warmupMs();
                        Measure.Stats stats = Measure.run(threads, warmup, options.measureMs(), body);
                        report.postgres(name, op, size, shape, threads, stats);
                        Bench.print(name, op, size, shape, threads, stats);
                    }
                    first = false;
                }
            }
        }
    }

    private static HikariDataSource pool(String url, String schema) throws Exception {
        createSchema(url, schema);
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(schemaUrl(url, schema));
        config.setMaximumPoolSize(Subjects.HIKARI_POOL_SIZE);
        config.setMinimumIdle(Subjects.HIKARI_POOL_SIZE);
        config.setPoolName("bench-" + schema);
        return new HikariDataSource(config);
    }

    /** Creates {@code schema} on the server, empty (dropping whatever held that name). */
    static void createSchema(String url, String schema) throws SQLException {
        try (Connection c = DriverManager.getConnection(url);
                Statement s = c.createStatement()) {
            s.execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
            s.execute("CREATE SCHEMA " + schema);
        }
    }

    /** The server's URL for connections that work in {@code schema}. */
    static String schemaUrl(String url, String schema) {
        return url + (url.contains("?") ? "&" : "?") + "currentSchema=" + schema;
    }

    static void dropSchemas(String url, List<String> schemas) throws SQLException {
        try (Connection c = DriverManager.getConnection(url);
                Statement s = c.createStatement()) {
            for (String schema : schemas) {
                s.execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
            }
        }
    }
}
