package io.github.jettysqlite.sessions.spring;

import io.github.jettysqlite.sessions.SessionTableDataStoreFactory;
import org.springframework.boot.actuate.autoconfigure.endpoint.condition.ConditionalOnAvailableEndpoint;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Bean;

/**
 * With Actuator on the class path, the {@link JettySessionsEndpoint} ({@code jettysessions}), made only when Boot
 * makes it available: exposed ({@code management.endpoints.web.exposure.include}) and not switched off ({@code
 * management.endpoint.jettysessions.access=none}). {@code jetty.sessions.enabled=false} leaves it out too.
 */
@AutoConfiguration(after = JettySessionStoreAutoConfiguration.class)
@ConditionalOnClass(
        name = {
            "org.springframework.boot.actuate.endpoint.annotation.Endpoint",
            "org.springframework.boot.actuate.autoconfigure.endpoint.condition.ConditionalOnAvailableEndpoint"
        })
@ConditionalOnProperty(prefix = SessionCacheProperties.PREFIX, name = "enabled", matchIfMissing = true)
@ConditionalOnBean(SessionTableDataStoreFactory.class)
public class JettySessionsEndpointAutoConfiguration {
    @Bean
    @ConditionalOnMissingBean
    @ConditionalOnAvailableEndpoint
    JettySessionsEndpoint jettySessionsEndpoint(SessionTableDataStoreFactory<?> factory) {
        return new JettySessionsEndpoint(factory);
    }
}
