package io.github.jettysqlite.sessions.spring;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * What IDEs read to complete {@code application.properties}: the metadata Boot's configuration processor generated
 * from the properties classes, with every store setting and its description, and the auto-configuration registered.
 */
class ConfigurationMetadataTest {
    @Test
    void everySettingIsDescribedForBothEngines() throws Exception {
        String metadata = resource("META-INF/spring-configuration-metadata.json");
        for (String prefix : List.of("jetty.sessions.sqlite.", "jetty.sessions.postgresql.")) {
            for (String common : List.of(
                    "table",
                    "deserialization-filter",
                    "attribute-key",
                    "attribute-old-keys",
                    "accept-unsealed-rows",
                    "save-in-place-changes",
                    "save-period-sec",
                    "grace-period-sec")) {
                assertThat(metadata).contains("\"name\": \"" + prefix + common + "\"");
            }
        }
        for (String sqlite : List.of("file", "synchronous", "busy-timeout-ms", "max-readers")) {
            assertThat(metadata).contains("\"name\": \"jetty.sessions.sqlite." + sqlite + "\"");
        }
        for (String postgresql : List.of("url", "user", "password", "pool-size", "connection-timeout-ms")) {
            assertThat(metadata).contains("\"name\": \"jetty.sessions.postgresql." + postgresql + "\"");
        }
        assertThat(metadata).contains("The SQLite database file; setting it switches the SQLite session store on.");
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
