package io.github.jettysqlite.sessions;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.jettysqlite.sessions.metrics.SessionStoreMetrics;
import io.github.jettysqlite.sessions.support.TestServer;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.core.instrument.distribution.DistributionStatisticConfig;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.client.ContentResponse;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.http.HttpCookieStore;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.session.NullSessionCacheFactory;
import org.eclipse.jetty.session.SessionContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Micrometer meters, read from a registry after real requests to a real server. */
class SessionStoreMetricsTest {
    @TempDir
    Path dir;

    private Server server;
    private HttpClient client;
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

    @BeforeEach
    void start() throws Exception {
        client = new HttpClient();
        // Each request names its session itself: a new one, or the id it is given.
        client.setHttpCookieStore(new HttpCookieStore.Empty());
        client.start();
        // A NullSessionCache loads the session from the store on every request, so loads are counted too.
        NullSessionCacheFactory cache = new NullSessionCacheFactory();
        cache.setFlushOnResponseCommit(true);
        server = TestServer.start(dir.resolve("sessions.db"), 0, cache);
        // What an application asks of its registry (Spring Boot: management.metrics.distribution.percentiles):
        // percentiles of the store's calls, which only timers that record each call can give.
        registry.config().meterFilter(new MeterFilter() {
            @Override
            public DistributionStatisticConfig configure(Meter.Id id, DistributionStatisticConfig config) {
                return id.getName().equals("jetty.sessions.store.calls")
                        ? DistributionStatisticConfig.builder()
                                .percentiles(0.5, 0.99)
                                .build()
                                .merge(config)
                        : config;
            }
        });
        new SessionStoreMetrics(server.getBean(SQLiteSessionDataStoreFactory.class)).bindTo(registry);
    }

    @AfterEach
    void stop() throws Exception {
        client.stop();
        if (server != null) {
            server.stop();
        }
    }

    @Test
    void storeAndLoadTimersCountRealRequestsPerContext() throws Exception {
        String id = get("/a/?set=user=alice", null);
        for (int i = 0; i < 4; i++) {
            get("/a/?get=user", id);
        }
        get("/b/?set=user=bob", null);

        Timer stores = registry.get("jetty.sessions.store.calls")
                .tags("context", "_a", "store", "sqlite", "operation", "store")
                .timer();
        Timer loads = registry.get("jetty.sessions.store.calls")
                .tags("context", "_a", "operation", "load")
                .timer();
        assertThat(stores.count()).isGreaterThanOrEqualTo(5);
        assertThat(stores.totalTime(TimeUnit.NANOSECONDS)).isPositive();
        assertThat(stores.max(TimeUnit.NANOSECONDS)).isPositive();
        assertThat(stores.takeSnapshot().percentileValues())
                .as("the percentiles the registry asked for")
                .hasSize(2)
                .allSatisfy(p -> assertThat(p.value(TimeUnit.NANOSECONDS)).isPositive());
        assertThat(loads.count()).isGreaterThanOrEqualTo(4);
        assertThat(registry.get("jetty.sessions.store.deleted.elsewhere")
                        .tags("context", "_a")
                        .functionCounter()
                        .count())
                .isZero();
        assertThat(registry.get("jetty.sessions.sqlite.file.lost")
                        .tags("context", "_a")
                        .gauge()
                        .value())
                .isZero();
        assertThat(registry.find("jetty.sessions.sqlite.checkpoints.forced").functionCounters())
                .isNotEmpty();
        assertThat(registry.find("jetty.sessions.database.outages").functionCounters())
                .isNotEmpty();
        assertThat(registry.get("jetty.sessions.store.failures")
                        .tags("context", "_a", "operation", "store")
                        .functionCounter()
                        .count())
                .isZero();
        FunctionCounter merged = registry.get("jetty.sessions.store.merged.writes")
                .tags("context", "_b")
                .functionCounter();
        assertThat(merged.count()).isZero();
        assertThat(registry.get("jetty.sessions.saves.refused")
                        .tags("context", "_a")
                        .functionCounter()
                        .count())
                .isZero();
        assertThat(registry.get("jetty.sessions.ended.changes.refused")
                        .tags("context", "_a")
                        .functionCounter()
                        .count())
                .isZero();
        assertThat(registry.get("jetty.sessions.changes.not.announced")
                        .tags("context", "_a")
                        .functionCounter()
                        .count())
                .isZero();
    }

    @Test
    void twoRegistriesEachGetEveryCall() throws Exception {
        SimpleMeterRegistry second = new SimpleMeterRegistry();
        new SessionStoreMetrics(server.getBean(SQLiteSessionDataStoreFactory.class)).bindTo(second);

        get("/a/?set=user=alice", null);

        for (SimpleMeterRegistry each : List.of(registry, second)) {
            assertThat(each.get("jetty.sessions.store.calls")
                            .tags("context", "_a", "operation", "store")
                            .timer()
                            .count())
                    .isPositive();
        }
    }

    @Test
    void gaugesShowStoredSessionsAndTheWal() throws Exception {
        get("/a/?set=user=alice", null);
        get("/a/?set=user=carol", null);
        get("/b/?set=user=bob", null);

        // Gauges hold what they read weakly unless told otherwise: after a collection they must still answer.
        System.gc();
        Gauge storedInA =
                registry.get("jetty.sessions.stored").tags("context", "_a").gauge();
        assertThat(storedInA.value()).isEqualTo(2);
        assertThat(registry.get("jetty.sessions.expired.waiting")
                        .tags("table", "jetty_sessions", "store", "sqlite")
                        .gauge()
                        .value())
                .isZero();
        assertThat(registry.get("jetty.sessions.sqlite.wal.size")
                        .tags("context", "_a")
                        .gauge()
                        .value())
                .isPositive();
    }

    @Test
    void theTablesExpiredGaugeIsRegisteredOnceForEveryContextAndSumsToTheTablesCount() throws Exception {
        assertThat(registry.find("jetty.sessions.expired.waiting").gauges())
                .as("one for the table, not one per context")
                .hasSize(1);
        assertThat(registry.find("jetty.sessions.store.calls")
                        .tags("virtual.host", "0.0.0.0")
                        .meters())
                .as("tags in Micrometer's style")
                .isNotEmpty();
        try (SQLiteFixture table = SQLiteFixture.in(dir)) {
            table.update("INSERT INTO jetty_sessions (session_id, context_path, virtual_host, last_node, created_ms,"
                    + " accessed_ms, last_accessed_ms, cookie_set_ms, last_saved_ms, max_inactive_ms, expires_at,"
                    + " attributes) VALUES ('gone', '_b', '0.0.0.0', 'n', 1, 1, 1, 1, 1, 1, 2440588.0, x'00')");
        }
        double summed = registry.find("jetty.sessions.expired.waiting").gauges().stream()
                .mapToDouble(Gauge::value)
                .sum();

        assertThat(summed).isEqualTo(1);
    }

    @Test
    void aStoppedContextsMetersGoAway() throws Exception {
        get("/a/?set=user=alice", null);
        assertThat(registry.find("jetty.sessions.store.calls")
                        .tags("context", "_a")
                        .meters())
                .isNotEmpty();

        server.stop();

        assertThat(registry.find("jetty.sessions.store.calls").meters()).isEmpty();
        server = null;
    }

    @Test
    void aStoreWhoseStopFailsStillTakesItsMetersAlong() throws Exception {
        SQLiteSessionDataStoreFactory factory = new SQLiteSessionDataStoreFactory(dir.resolve("failing.db")) {
            @Override
            protected SessionTableDataStore newStore(SQLiteSessionSettings settings) {
                return new SQLiteSessionDataStore(settings) {
                    @Override
                    protected void doStop() throws Exception {
                        super.doStop();
                        throw new IllegalStateException("the stop failed");
                    }
                };
            }
        };
        SimpleMeterRegistry own = new SimpleMeterRegistry();
        new SessionStoreMetrics(factory).bindTo(own);
        SessionTableDataStore store = (SessionTableDataStore) factory.getSessionDataStore(null);
        store.initialize(new StoreFixture.FixedSessionContext("node0", "_failing", SessionContext.NULL_VHOST));
        store.start();
        assertThat(own.find("jetty.sessions.store.calls")
                        .tags("context", "_failing")
                        .meters())
                .isNotEmpty();

        assertThatThrownBy(store::stop).hasMessageContaining("the stop failed");

        // Left behind, the gauges would hold the stopped store, and its context's next store would go unmetered.
        assertThat(own.getMeters()).isEmpty();
    }

    /** GETs a path as the session {@code id} (null: a new session) and answers the session id or the value. */
    private String get(String pathAndQuery, String id) throws Exception {
        var request = client.newRequest("http://127.0.0.1:" + TestServer.port(server) + pathAndQuery);
        if (id != null) {
            request.headers(h -> h.put(HttpHeader.COOKIE, "JSESSIONID=" + id + ".node0"));
        }
        ContentResponse response = request.send();
        assertThat(response.getStatus()).isEqualTo(200);
        return response.getContentAsString();
    }
}
