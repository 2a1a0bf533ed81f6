package io.github.jettysqlite.sessions.spring;

import io.github.jettysqlite.sessions.SessionTableDataStoreFactory;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.security.core.session.SessionRegistry;

/**
 * With Spring Security on the class path, a {@link JettySessionRegistry} over the store: Spring Security's {@code
 * sessionManagement().maximumSessions(n)} takes the registry bean by itself, and then counts a user's sessions on
 * every node of the database. An application's own {@code SessionRegistry} bean is kept; {@code
 * jetty.sessions.session-registry.enabled=false} (or {@code jetty.sessions.enabled=false}) declares none.
 */
@AutoConfiguration(after = JettySessionStoreAutoConfiguration.class)
@ConditionalOnClass(SessionRegistry.class)
@ConditionalOnProperty(
        prefix = SessionCacheProperties.PREFIX,
        name = {"enabled", "session-registry.enabled"},
        matchIfMissing = true)
@ConditionalOnBean(SessionTableDataStoreFactory.class)
public class JettySessionRegistryAutoConfiguration {
    @Bean
    @ConditionalOnMissingBean(SessionRegistry.class)
    JettySessionRegistry jettySessionRegistry(SessionTableDataStoreFactory<?> factory) {
        return new JettySessionRegistry(factory);
    }
}
