package io.github.jettysqlite.sessions;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.jettysqlite.sessions.support.TestServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.management.MBeanServer;
import javax.management.MBeanServerFactory;
import javax.management.ObjectName;
import org.eclipse.jetty.client.ContentResponse;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.jmx.MBeanContainer;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.session.SessionContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The ObjectNames a real server with Jetty's {@code MBeanContainer} gives the store and its statistics, checked
 * against what README's "Metrics" section tells operators to scrape.
 */
class JmxNamesTest {
    /** The Prometheus JMX exporter rule README.md prints, read from README itself, as the exporter would apply it. */
    private static Pattern readmeRule() throws Exception {
        Path readme = Path.of("..", "README.md");
        Matcher rule = Pattern.compile("- pattern: '([^']*sessionstorestatistics[^']*)'")
                .matcher(Files.readString(readme));
        assertThat(rule.find())
                .as("README gives an exporter rule for the statistics beans")
                .isTrue();
        return Pattern.compile(rule.group(1));
    }

    @TempDir
    Path dir;

    private Server server;
    private MBeanServer mbeans;

    @AfterEach
    void stop() throws Exception {
        if (server != null) {
            server.stop();
        }
    }

    @Test
    void namesUnderARealServerMatchTheExporterRuleInTheReadme() throws Exception {
        // A server of its own, so no other test's beans are counted.
        mbeans = MBeanServerFactory.newMBeanServer();
        server = TestServer.start(dir.resolve("sessions.db"), 0, new MBeanContainer(mbeans));
        setAnAttribute("/a/");

        Set<ObjectName> stores =
                mbeans.queryNames(new ObjectName("io.github.jettysqlite.sessions:type=sqlitesessiondatastore,*"), null);
        Set<ObjectName> statistics =
                mbeans.queryNames(new ObjectName("io.github.jettysqlite.sessions:type=sessionstorestatistics,*"), null);
        assertThat(stores).hasSize(2);
        // Each statistics bean's context ends in its canonical path, on Jetty 12.0 (where it is the whole key) as
        // on 12.1 (where Jetty prefixes the server's name and an identity hash): the label the rule keeps.
        Set<String> contexts = new TreeSet<>();
        statistics.forEach(name -> {
            String context = name.getKeyProperty("context");
            contexts.add(context.substring(context.lastIndexOf('/') + 1));
        });
        assertThat(contexts).containsExactly("_a", "_b");

        Pattern readmeRule = readmeRule();
        List<String> scraped = statistics.stream()
                .map(name -> exporterName(name, "storeCount"))
                .sorted()
                .toList();
        assertThat(scraped).allSatisfy(line -> assertThat(line).matches(readmeRule));
        Matcher first = readmeRule.matcher(scraped.get(0));
        assertThat(first.matches()).isTrue();
        assertThat(first.group(1)).isEqualTo("_a");
        assertThat(first.group(2)).isEqualTo("store");
        // The stores' own beans, which carry the same attribute names elsewhere, are not counted twice.
        assertThat(stores)
                .allSatisfy(name -> assertThat(exporterName(name, "storeCount")).doesNotMatch(readmeRule));
        ObjectName statisticsOfA = new ObjectName(statistics.stream()
                .map(ObjectName::toString)
                .filter(name -> name.contains("_a,") || name.endsWith("_a"))
                .findFirst()
                .orElseThrow());
        assertThat((Long) mbeans.getAttribute(statisticsOfA, "storeCount")).isPositive();
    }

    /**
     * A real server's root context: Jetty's canonical form of "/" is "_" (the null context of a store used without a
     * server is ""); both are named ROOT, as README says.
     */
    @Test
    void theRootContextOfARealServerIsNamedRoot() throws Exception {
        mbeans = MBeanServerFactory.newMBeanServer();
        server = new Server();
        ServerConnector connector = new ServerConnector(server);
        connector.setHost("127.0.0.1");
        server.addConnector(connector);
        server.addBean(new SQLiteSessionDataStoreFactory(dir.resolve("root.db")));
        server.addBean(new MBeanContainer(mbeans));
        ServletContextHandler root = new ServletContextHandler(ServletContextHandler.SESSIONS);
        root.setContextPath("/");
        root.addServlet(TestServer.SessionServlet.class, "/*");
        server.setHandler(root);
        server.start();
        setAnAttribute("/");

        Set<ObjectName> names =
                mbeans.queryNames(new ObjectName("io.github.jettysqlite.sessions:type=sessionstorestatistics,*"), null);
        assertThat(names).hasSize(1);
        Matcher rule = readmeRule().matcher(exporterName(names.iterator().next(), "storeCount"));
        assertThat(rule.matches()).isTrue();
        assertThat(rule.group(1)).isEqualTo("ROOT");
    }

    @Test
    void aStoreWithoutAServerContextIsNamedRoot() throws Exception {
        mbeans = MBeanServerFactory.newMBeanServer();
        SQLiteFixture fixture = new SQLiteFixture(dir.resolve("root.db"));
        try {
            SQLiteSessionDataStore store = fixture.store(StoreFixture.NODE, "", SessionContext.NULL_VHOST);
            new MBeanContainer(mbeans).beanAdded(store, store.getStatistics());

            Set<ObjectName> names = mbeans.queryNames(
                    new ObjectName("io.github.jettysqlite.sessions:type=sessionstorestatistics,*"), null);
            assertThat(names).hasSize(1);
            Matcher rule = readmeRule().matcher(exporterName(names.iterator().next(), "loadCount"));
            assertThat(rule.matches()).isTrue();
            assertThat(rule.group(1)).isEqualTo("ROOT");
        } finally {
            fixture.close();
        }
    }

    /** One request to the server that sets an attribute under {@code path}, so a session is stored. */
    private void setAnAttribute(String path) throws Exception {
        HttpClient client = new HttpClient();
        client.start();
        try {
            ContentResponse response = client.GET("http://127.0.0.1:" + TestServer.port(server) + path + "?set=k=v");
            assertThat(response.getStatus()).isEqualTo(200);
        } finally {
            client.stop();
        }
    }

    /** The exporter's text for one attribute: {@code domain<key=value, ...><>attribute}, keys in registration order. */
    private static String exporterName(ObjectName name, String attribute) {
        return name.getDomain() + "<" + name.getKeyPropertyListString().replace(",", ", ") + "><>" + attribute;
    }
}
