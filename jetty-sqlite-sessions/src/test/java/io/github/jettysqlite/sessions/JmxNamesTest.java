package io.github.jettysqlite.sessions;

import static org.assertj.core.api.Assertions.assertThat;

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
import org.eclipse.jetty.jmx.MBeanContainer;
import org.eclipse.jetty.server.Server;
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
        HttpClient client = new HttpClient();
        client.start();
        try {
            ContentResponse response = client.GET("http://127.0.0.1:" + TestServer.port(server) + "/a/?set=k=v");
            assertThat(response.getStatus()).isEqualTo(200);
        } finally {
            client.stop();
        }

        Set<ObjectName> stores =
                mbeans.queryNames(new ObjectName("io.github.jettysqlite.sessions:type=sqlitesessiondatastore,*"), null);
        Set<ObjectName> statistics =
                mbeans.queryNames(new ObjectName("io.github.jettysqlite.sessions:type=sessionstorestatistics,*"), null);
        // One store and one statistics bean per context; Jetty names the context "<server>/<canonical path>", and
        // the server part carries an identity hash that changes with every start, so the rule keeps the path alone.
        assertThat(contexts(stores)).containsExactly("_a", "_b");
        assertThat(contexts(statistics)).containsExactly("_a", "_b");

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
        ObjectName statisticsOfA = statistics.stream()
                .filter(name -> name.getKeyProperty("context").endsWith("/_a"))
                .findFirst()
                .orElseThrow();
        assertThat((Long) mbeans.getAttribute(statisticsOfA, "storeCount")).isPositive();
    }

    private static Set<String> contexts(Set<ObjectName> names) {
        Set<String> contexts = new TreeSet<>();
        for (ObjectName name : names) {
            String context = name.getKeyProperty("context");
            contexts.add(context.substring(context.lastIndexOf('/') + 1));
        }
        assertThat(contexts).hasSameSizeAs(names);
        return contexts;
    }

    /** The exporter's text for one attribute: {@code domain<key=value, ...><>attribute}, keys in registration order. */
    private static String exporterName(ObjectName name, String attribute) {
        return name.getDomain() + "<" + name.getKeyPropertyListString().replace(",", ", ") + "><>" + attribute;
    }
}
