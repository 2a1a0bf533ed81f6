package io.github.jettysqlite.sessions.spring;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.jettysqlite.sessions.SQLiteSessionSettings;
import io.github.jettysqlite.sessions.postgresql.PostgreSQLSessionSettings;
import java.io.InputStream;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.eclipse.jetty.session.AbstractSessionCacheFactory;
import org.junit.jupiter.api.Test;

/**
 * What IDEs read to complete {@code application.properties}: the metadata Boot's configuration processor generated
 * from the properties classes, with every store and cache setting and its description, the caches to choose from,
 * and the auto-configuration registered.
 */
class ConfigurationMetadataTest {
    /**
     * Settings of the stores that are no property, each for a reason: a connection pool object, a JNDI name (Boot
     * applications have no JNDI), and the meter registry (the starter hands over the application's own).
     */
    private static final Set<String> NOT_PROPERTIES = Set.of("dataSource", "dataSourceName", "metricRegistry");

    /** Settings whose property has a shorter name. */
    private static final Map<String, String> RENAMED = Map.of("databaseFile", "file", "tableName", "table");

    @Test
    void everySettingOfEitherStoreIsAPropertyWithADescription() throws Exception {
        String metadata = resource("META-INF/spring-configuration-metadata.json");
        Map<String, Class<?>> engines = Map.of(
                "jetty.sessions.sqlite.", SQLiteSessionSettings.class,
                "jetty.sessions.postgresql.", PostgreSQLSessionSettings.class);
        for (Map.Entry<String, Class<?>> engine : engines.entrySet()) {
            List<String> settings = new ArrayList<>(settingsOf(engine.getValue()));
            // Jetty's own settings, which the factory carries.
            settings.addAll(List.of("savePeriodSec", "gracePeriodSec"));
            assertThat(settings).hasSizeGreaterThan(8);
            for (String setting : settings) {
                String property = engine.getKey() + kebab(RENAMED.getOrDefault(setting, setting));
                assertThat(metadata).as(setting).contains("\"name\": \"" + property + "\"");
            }
        }
        assertThat(metadata).contains("The SQLite database file; setting it switches the SQLite session store on.");
        assertThat(metadata).doesNotContain("\"description\": \"\"");
    }

    @Test
    void everySettingOfJettysSessionCacheIsAPropertyBesideTheChoiceOfCache() throws Exception {
        String metadata = resource("META-INF/spring-configuration-metadata.json");
        Set<String> settings = settingsOf(AbstractSessionCacheFactory.class);
        assertThat(settings).contains("evictionPolicy", "flushOnResponseCommit").hasSizeGreaterThan(5);
        for (String setting : settings) {
            assertThat(metadata).as(setting).contains("\"name\": \"jetty.sessions." + kebab(setting) + "\"");
        }
        assertThat(metadata).contains("\"name\": \"jetty.sessions.cache\"");
        for (SessionCacheProperties.Cache cache : SessionCacheProperties.Cache.values()) {
            assertThat(metadata).contains("\"value\": \"" + cache.name().toLowerCase(Locale.ROOT) + "\"");
        }
        assertThat(metadata).doesNotContain("\"description\": \"\"");
    }

    /** The writable settings of a settings class, by the names of their setters. */
    private static Set<String> settingsOf(Class<?> type) {
        Set<String> names = new TreeSet<>();
        for (Method method : type.getMethods()) {
            if (method.getName().startsWith("set")
                    && method.getParameterCount() == 1
                    && Modifier.isPublic(method.getModifiers())) {
                String name = Character.toLowerCase(method.getName().charAt(3))
                        + method.getName().substring(4);
                if (!NOT_PROPERTIES.contains(name)) {
                    names.add(name);
                }
            }
        }
        return names;
    }

    private static String kebab(String camel) {
        return camel.replaceAll("([a-z0-9])([A-Z])", "$1-$2").toLowerCase(Locale.ROOT);
    }

    @Test
    void theAutoConfigurationIsRegisteredTheBootWay() throws Exception {
        assertThat(resource("META-INF/spring/org.springframework.boot.autoconfigure.AutoConfiguration.imports"))
                .contains(JettySessionStoreAutoConfiguration.class.getName());
    }

    private static String resource(String name) throws Exception {
        try (InputStream in = ConfigurationMetadataTest.class.getClassLoader().getResourceAsStream(name)) {
            assertThat(in).as(name).isNotNull();
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
