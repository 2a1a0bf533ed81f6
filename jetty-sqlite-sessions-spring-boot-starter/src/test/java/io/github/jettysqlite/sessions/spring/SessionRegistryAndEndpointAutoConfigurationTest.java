package io.github.jettysqlite.sessions.spring;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.jettysqlite.sessions.SQLiteSessionDataStoreFactory;
import io.github.jettysqlite.sessions.SQLiteSessionSettings;
import java.nio.file.Path;
import java.security.Principal;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.WebApplicationContextRunner;
import org.springframework.security.core.AuthenticatedPrincipal;
import org.springframework.security.core.authority.AuthorityUtils;
import org.springframework.security.core.session.SessionRegistry;
import org.springframework.security.core.session.SessionRegistryImpl;
import org.springframework.security.core.userdetails.User;

/**
 * When the starter declares Spring Security's session registry and Actuator's {@code jettysessions} endpoint: each
 * only with its library on the class path and a store configured, each with a way to switch it off; and the two
 * properties that say how a session's user is recorded.
 */
class SessionRegistryAndEndpointAutoConfigurationTest {
    private static final String EXPOSED = "management.endpoints.web.exposure.include=" + JettySessionsEndpoint.ID;

    private final WebApplicationContextRunner runner = new WebApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(
                    JettySessionStoreAutoConfiguration.class,
                    JettySessionRegistryAutoConfiguration.class,
                    JettySessionsEndpointAutoConfiguration.class));

    @TempDir
    Path dir;

    private String file() {
        return "jetty.sessions.sqlite.file=" + dir.resolve("boot.db");
    }

    @Test
    void withSpringSecurityAndAStoreTheRegistryIsTheTables() {
        runner.withPropertyValues(file()).run(context -> {
            assertThat(context).hasNotFailed().getBean(SessionRegistry.class).isInstanceOf(JettySessionRegistry.class);
            // Until Jetty starts the context, no store runs and nobody is logged in.
            SessionRegistry registry = context.getBean(SessionRegistry.class);
            assertThat(registry.getAllSessions("alice", false)).isEmpty();
            assertThat(registry.getSessionInformation("node0abc")).isNull();
            assertThat(registry.getAllPrincipals()).isEmpty();
        });
    }

    @Test
    void withoutSpringSecurityThereIsNoRegistry() {
        runner.withClassLoader(new FilteredClassLoader("org.springframework.security"))
                .withPropertyValues(file())
                .run(context -> assertThat(context).hasNotFailed().doesNotHaveBean(JettySessionRegistry.class));
    }

    @Test
    void withoutAStoreThereIsNoRegistryNorEndpoint() {
        runner.withPropertyValues(EXPOSED).run(context -> assertThat(context)
                .hasNotFailed()
                .doesNotHaveBean(SessionRegistry.class)
                .doesNotHaveBean(JettySessionsEndpoint.class));
    }

    @Test
    void theRegistryCanBeSwitchedOff() {
        runner.withPropertyValues(file(), "jetty.sessions.session-registry.enabled=false")
                .run(context -> assertThat(context).hasNotFailed().doesNotHaveBean(SessionRegistry.class));
    }

    @Test
    void anApplicationsOwnRegistryIsKept() {
        runner.withPropertyValues(file()).withBean(SessionRegistryImpl.class).run(context -> assertThat(context)
                .hasNotFailed()
                .getBean(SessionRegistry.class)
                .isInstanceOf(SessionRegistryImpl.class));
    }

    @Test
    void theEndpointIsThereWhenExposed() {
        runner.withPropertyValues(file(), EXPOSED)
                .run(context -> assertThat(context).hasNotFailed().hasSingleBean(JettySessionsEndpoint.class));
    }

    @Test
    void theEndpointIsNotThereUnlessExposed() {
        runner.withPropertyValues(file())
                .run(context -> assertThat(context).hasNotFailed().doesNotHaveBean(JettySessionsEndpoint.class));
    }

    @Test
    void theEndpointCanBeSwitchedOff() {
        runner.withPropertyValues(file(), EXPOSED, "management.endpoint.jettysessions.access=NONE")
                .run(context -> assertThat(context).hasNotFailed().doesNotHaveBean(JettySessionsEndpoint.class));
    }

    @Test
    void withoutActuatorThereIsNoEndpoint() {
        runner.withClassLoader(new FilteredClassLoader("org.springframework.boot.actuate"))
                .withPropertyValues(file(), EXPOSED)
                .run(context -> assertThat(context).hasNotFailed().doesNotHaveBean(JettySessionsEndpoint.class));
    }

    @Test
    void enabledFalseLeavesOutBoth() {
        runner.withPropertyValues(file(), EXPOSED, "jetty.sessions.enabled=false")
                .run(context -> assertThat(context)
                        .hasNotFailed()
                        .doesNotHaveBean(SessionRegistry.class)
                        .doesNotHaveBean(JettySessionsEndpoint.class));
    }

    @Test
    void theUserIsRecordedAsThePropertiesSay() {
        runner.withPropertyValues(file()).run(context -> {
            SQLiteSessionSettings settings =
                    context.getBean(SQLiteSessionDataStoreFactory.class).getSettings();
            assertThat(settings.isRecordPrincipal()).isTrue();
            assertThat(settings.getPrincipalAttribute()).isNull();
        });
        runner.withPropertyValues(
                        file(),
                        "jetty.sessions.sqlite.record-principal=false",
                        "jetty.sessions.sqlite.principal-attribute=appUser")
                .run(context -> {
                    SQLiteSessionSettings settings =
                            context.getBean(SQLiteSessionDataStoreFactory.class).getSettings();
                    assertThat(settings.isRecordPrincipal()).isFalse();
                    assertThat(settings.getPrincipalAttribute()).isEqualTo("appUser");
                });
    }

    @Test
    void principalsAreNamedAsSpringSecurityNamesThem() {
        User user = new User("alice", "secret", AuthorityUtils.NO_AUTHORITIES);
        Principal named = () -> "bob";
        AuthenticatedPrincipal oauth = () -> "carol";
        assertThat(List.of(user, named, oauth, "dave"))
                .extracting(JettySessionRegistry::nameOf)
                .containsExactly("alice", "bob", "carol", "dave");
    }
}
