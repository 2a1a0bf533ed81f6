package io.github.jettysqlite.sessions.spring;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.jettysqlite.sessions.Checkpoints;
import io.github.jettysqlite.sessions.SQLiteSessionSettings;
import io.github.jettysqlite.sessions.SchemaMode;
import io.github.jettysqlite.sessions.SessionTableSettings;
import io.github.jettysqlite.sessions.Synchronous;
import io.github.jettysqlite.sessions.postgresql.PostgreSQLSessionSettings;
import java.io.InputStream;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.eclipse.jetty.session.AbstractSessionCacheFactory;
import org.junit.jupiter.api.Test;
import org.springframework.boot.configurationmetadata.ConfigurationMetadataProperty;
import org.springframework.boot.configurationmetadata.ConfigurationMetadataRepositoryJsonBuilder;
import org.springframework.boot.configurationmetadata.ValueHint;
import org.springframework.boot.convert.DurationStyle;

/**
 * What IDEs read to complete {@code application.properties}: the metadata Boot's configuration processor generated
 * from the properties classes, merged with the hand-written additions, with every store and cache setting and its
 * description, its default as the store has it, the old names deprecated in favour of durations, the values to choose
 * from, and the auto-configurations registered.
 */
class ConfigurationMetadataTest {
    private static final String METADATA = "META-INF/spring-configuration-metadata.json";

    /**
     * Settings of the stores that are no property of their own, each for a reason: a connection pool object (the
     * application's, through use-application-data-source), a JNDI name (Boot applications have no JNDI), and the
     * meter registry (the starter hands over the application's own).
     */
    private static final Set<String> NOT_PROPERTIES = Set.of("dataSource", "dataSourceName", "metricRegistry");

    /** Settings whose property has another name: a shorter one, or a duration's in place of a number's. */
    private static final Map<String, String> RENAMED = Map.of(
            "databaseFile", "file",
            "maxSessionLifetimeSec", "max-session-lifetime",
            "tableName", "table",
            "busyTimeoutMs", "busy-timeout",
            "connectionTimeoutMs", "connection-timeout",
            "savePeriodSec", "save-period",
            "gracePeriodSec", "grace-period");

    @Test
    void everySettingOfEitherStoreIsAPropertyWithADescription() throws Exception {
        Map<String, ConfigurationMetadataProperty> metadata = properties();
        Map<String, Class<?>> engines = Map.of(
                "jetty.sessions.sqlite.", SQLiteSessionSettings.class,
                "jetty.sessions.postgresql.", PostgreSQLSessionSettings.class);
        for (Map.Entry<String, Class<?>> engine : engines.entrySet()) {
            List<String> settings = new ArrayList<>(settingsOf(engine.getValue()));
            // Jetty's own settings, which the factory carries.
            settings.addAll(List.of("savePeriodSec", "gracePeriodSec"));
            assertThat(settings).hasSizeGreaterThan(8);
            for (String setting : settings) {
                String property = engine.getKey() + RENAMED.getOrDefault(setting, kebab(setting));
                assertThat(metadata).as(setting).containsKey(property);
                assertThat(metadata.get(property).isDeprecated()).as(property).isFalse();
            }
        }
        assertThat(metadata.get("jetty.sessions.sqlite.file").getDescription())
                .isEqualTo("The SQLite database file; setting it switches the SQLite session store on. Missing"
                        + " directories are created.");
        assertThat(metadata.values()).allSatisfy(property -> assertThat(property.getDescription())
                .as(property.getId())
                .isNotBlank());
    }

    @Test
    void everyOldNameIsDeprecatedInFavourOfItsDuration() throws Exception {
        Map<String, ConfigurationMetadataProperty> metadata = properties();
        List<SessionTableProperties> engines =
                List.of(new SQLiteSessionsProperties(), new PostgreSQLSessionsProperties());
        List<String> deprecated = new ArrayList<>();
        for (SessionTableProperties engine : engines) {
            for (SessionTableProperties.Renamed renamed : engine.renamed()) {
                String old = engine.prefix() + "." + renamed.oldName();
                String current = engine.prefix() + "." + renamed.newName();
                assertThat(metadata.get(old).getDeprecation().getReplacement())
                        .as(old)
                        .isEqualTo(current);
                assertThat(metadata.get(current).getType()).as(current).isEqualTo(Duration.class.getName());
                deprecated.add(old);
            }
        }
        assertThat(deprecated)
                .containsExactlyInAnyOrder(
                        "jetty.sessions.sqlite.busy-timeout-ms",
                        "jetty.sessions.sqlite.save-period-sec",
                        "jetty.sessions.sqlite.grace-period-sec",
                        "jetty.sessions.postgresql.connection-timeout-ms",
                        "jetty.sessions.postgresql.save-period-sec",
                        "jetty.sessions.postgresql.grace-period-sec");
        // Boot's configuration processor writes the endpoint's old switch, deprecated in favour of its access.
        deprecated.add("management.endpoint.jettysessions.enabled");
        assertThat(metadata.values().stream().filter(ConfigurationMetadataProperty::isDeprecated))
                .extracting(ConfigurationMetadataProperty::getId)
                .containsExactlyInAnyOrderElementsOf(deprecated);
    }

    @Test
    void theDefaultsIDEsShowAreTheStoresDefaults() throws Exception {
        Map<String, ConfigurationMetadataProperty> metadata = properties();
        assertThat(duration(metadata, "jetty.sessions.sqlite.busy-timeout"))
                .isEqualTo(Duration.ofMillis(SQLiteSessionSettings.DEFAULT_BUSY_TIMEOUT_MS))
                .isEqualTo(new SQLiteSessionsProperties().getBusyTimeout());
        assertThat(metadata.get("jetty.sessions.sqlite.max-readers").getDefaultValue())
                .isEqualTo(SQLiteSessionSettings.DEFAULT_MAX_READERS)
                .isEqualTo(new SQLiteSessionsProperties().getMaxReaders());
        assertThat(metadata.get("jetty.sessions.sqlite.synchronous").getDefaultValue())
                .isEqualTo(SQLiteSessionSettings.DEFAULT_SYNCHRONOUS.toLowerCase(Locale.ROOT));
        assertThat(new SQLiteSessionsProperties().getSynchronous().name())
                .isEqualTo(SQLiteSessionSettings.DEFAULT_SYNCHRONOUS);
        assertThat(duration(metadata, "jetty.sessions.postgresql.connection-timeout"))
                .isEqualTo(Duration.ofMillis(PostgreSQLSessionSettings.DEFAULT_CONNECTION_TIMEOUT_MS))
                .isEqualTo(new PostgreSQLSessionsProperties().getConnectionTimeout());
        assertThat(metadata.get("jetty.sessions.postgresql.pool-size").getDefaultValue())
                .isEqualTo(PostgreSQLSessionSettings.DEFAULT_POOL_SIZE)
                .isEqualTo(new PostgreSQLSessionsProperties().getPoolSize());
        for (String engine : List.of("sqlite", "postgresql")) {
            // Jetty's defaults: every write saved, an hour's grace.
            assertThat(duration(metadata, "jetty.sessions." + engine + ".save-period"))
                    .isEqualTo(Duration.ZERO);
            assertThat(duration(metadata, "jetty.sessions." + engine + ".grace-period"))
                    .isEqualTo(Duration.ofHours(1));
            assertThat(duration(metadata, "jetty.sessions." + engine + ".max-session-lifetime"))
                    .isEqualTo(Duration.ofSeconds(new SQLiteSessionSettings().getMaxSessionLifetimeSec()));
        }
        assertThat(metadata.get("jetty.sessions.enabled").getDefaultValue()).isEqualTo(true);
        assertThat(metadata.get("management.health.jetty-sessions.enabled").getDefaultValue())
                .isEqualTo(true);
        assertThat(metadata.get("jetty.sessions.session-registry.enabled").getDefaultValue())
                .isEqualTo(true);
        for (String engine : new String[] {"sqlite", "postgresql"}) {
            assertThat(metadata.get("jetty.sessions." + engine + ".record-principal")
                            .getDefaultValue())
                    .isEqualTo(true)
                    .isEqualTo(new SQLiteSessionSettings().isRecordPrincipal());
            assertThat(metadata.get("jetty.sessions." + engine + ".protect-session-ids")
                            .getDefaultValue())
                    .isEqualTo(true)
                    .isEqualTo(new SQLiteSessionSettings().isProtectSessionIds());
        }
    }

    @Test
    void synchronousOffersEveryModeTheStoreAccepts() throws Exception {
        assertOffersEvery(Synchronous.class, properties().get("jetty.sessions.sqlite.synchronous"));
    }

    @Test
    void schemaModeOffersEveryModeTheStoreAcceptsOnBothEngines() throws Exception {
        for (String engine : List.of("sqlite", "postgresql")) {
            ConfigurationMetadataProperty mode = properties().get("jetty.sessions." + engine + ".schema-mode");
            assertOffersEvery(SchemaMode.class, mode);
            assertThat(mode.getDefaultValue())
                    .isEqualTo(SessionTableSettings.DEFAULT_SCHEMA_MODE)
                    .isEqualTo(new SQLiteSessionsProperties()
                            .getSchemaMode()
                            .name()
                            .toLowerCase(Locale.ROOT));
        }
    }

    @Test
    void checkpointsOffersEveryChoiceTheStoreAccepts() throws Exception {
        assertOffersEvery(Checkpoints.class, properties().get("jetty.sessions.sqlite.checkpoints"));
        assertThat(properties().get("jetty.sessions.sqlite.checkpoints").getDefaultValue())
                .isEqualTo(SQLiteSessionSettings.DEFAULT_CHECKPOINTS.toLowerCase(Locale.ROOT));
        assertThat(new SQLiteSessionsProperties().getCheckpoints().name())
                .isEqualTo(SQLiteSessionSettings.DEFAULT_CHECKPOINTS);
    }

    /** A property of an enum type, hinting each of its values, in lower case, with a description. */
    private static void assertOffersEvery(Class<? extends Enum<?>> type, ConfigurationMetadataProperty property) {
        assertThat(property.getType()).isEqualTo(type.getName());
        assertThat(property.getHints().getValueHints())
                .extracting(ValueHint::getValue)
                .containsExactlyElementsOf(Arrays.stream(type.getEnumConstants())
                        .map(value -> value.name().toLowerCase(Locale.ROOT))
                        .toList());
        assertThat(property.getHints().getValueHints())
                .allSatisfy(hint -> assertThat(hint.getDescription()).isNotBlank());
    }

    @Test
    void everySettingOfJettysSessionCacheIsAPropertyBesideTheChoiceOfCache() throws Exception {
        Map<String, ConfigurationMetadataProperty> metadata = properties();
        Set<String> settings = settingsOf(AbstractSessionCacheFactory.class);
        assertThat(settings).contains("evictionPolicy", "flushOnResponseCommit").hasSizeGreaterThan(5);
        for (String setting : settings) {
            assertThat(metadata).as(setting).containsKey("jetty.sessions." + kebab(setting));
        }
        assertThat(metadata.get("jetty.sessions.cache").getHints().getValueHints())
                .extracting(ValueHint::getValue)
                .containsExactlyElementsOf(Arrays.stream(SessionCacheProperties.Cache.values())
                        .map(cache -> cache.name().toLowerCase(Locale.ROOT))
                        .toList());
    }

    @Test
    void theApplicationsDataSourceIsAPropertyOfThePostgreSQLStore() throws Exception {
        ConfigurationMetadataProperty property =
                properties().get("jetty.sessions.postgresql.use-application-data-source");
        assertThat(property.getType()).isEqualTo(Boolean.class.getName());
        assertThat(property.getDefaultValue()).isEqualTo(false);
        assertThat(property.getDescription()).contains("@JettySessionsDataSource");
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

    private static Duration duration(Map<String, ConfigurationMetadataProperty> metadata, String property) {
        return DurationStyle.detectAndParse((String) metadata.get(property).getDefaultValue());
    }

    @Test
    void theAutoConfigurationsAreRegisteredTheBootWay() throws Exception {
        assertThat(resource("META-INF/spring/org.springframework.boot.autoconfigure.AutoConfiguration.imports"))
                .contains(
                        JettySessionStoreAutoConfiguration.class.getName(),
                        JettySessionStoreHealthAutoConfiguration.class.getName(),
                        JettySessionRegistryAutoConfiguration.class.getName(),
                        JettySessionsEndpointAutoConfiguration.class.getName());
    }

    private static Map<String, ConfigurationMetadataProperty> properties() throws Exception {
        try (InputStream in = ConfigurationMetadataTest.class.getClassLoader().getResourceAsStream(METADATA)) {
            assertThat(in).as(METADATA).isNotNull();
            return ConfigurationMetadataRepositoryJsonBuilder.create(in).build().getAllProperties();
        }
    }

    private static String resource(String name) throws Exception {
        try (InputStream in = ConfigurationMetadataTest.class.getClassLoader().getResourceAsStream(name)) {
            assertThat(in).as(name).isNotNull();
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
