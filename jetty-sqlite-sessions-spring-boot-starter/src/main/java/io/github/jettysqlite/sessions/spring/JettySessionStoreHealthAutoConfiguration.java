package io.github.jettysqlite.sessions.spring;

import io.github.jettysqlite.sessions.SessionTableDataStoreFactory;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionOutcome;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.autoconfigure.condition.SpringBootCondition;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.context.annotation.Conditional;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;
import org.springframework.core.type.AnnotatedTypeMetadata;

/**
 * Actuator's health endpoint reports the session stores as {@code jettySessions}: down, with the reason, when a
 * store's database is unreachable, its SQLite file was deleted or replaced, or its schema cannot be read. The health
 * API is in {@code org.springframework.boot.actuate.health} in Boot 3.5 and in {@code
 * org.springframework.boot.health.contributor} in Boot 4.0; each has its adapter, loaded only where its type is.
 * {@code management.health.jetty-sessions.enabled=false} (or {@code management.health.defaults.enabled=false}) leaves
 * the stores out, as does {@code jetty.sessions.enabled=false}.
 */
@AutoConfiguration(after = JettySessionStoreAutoConfiguration.class)
@ConditionalOnProperty(prefix = SessionCacheProperties.PREFIX, name = "enabled", matchIfMissing = true)
@ConditionalOnBean(SessionTableDataStoreFactory.class)
@Conditional(JettySessionStoreHealthAutoConfiguration.Enabled.class)
public class JettySessionStoreHealthAutoConfiguration {
    /** The bean's name, from which Actuator takes the indicator's: {@code jettySessions}. */
    static final String BEAN_NAME = "jettySessionsHealthIndicator";

    static final String ENABLED = "management.health.jetty-sessions.enabled";

    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(name = "org.springframework.boot.health.contributor.HealthIndicator")
    static class Boot4 {
        @Bean(BEAN_NAME)
        @ConditionalOnMissingBean(name = BEAN_NAME)
        Boot4SessionStoreHealthIndicator jettySessionsHealthIndicator(SessionTableDataStoreFactory<?> factory) {
            return new Boot4SessionStoreHealthIndicator(new SessionStoreHealth(factory));
        }
    }

    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(name = "org.springframework.boot.actuate.health.HealthIndicator")
    static class Boot3 {
        @Bean(BEAN_NAME)
        @ConditionalOnMissingBean(name = BEAN_NAME)
        Boot3SessionStoreHealthIndicator jettySessionsHealthIndicator(SessionTableDataStoreFactory<?> factory) {
            return new Boot3SessionStoreHealthIndicator(new SessionStoreHealth(factory));
        }
    }

    /** As Actuator's own indicators: their own switch, else the default for every indicator, else on. */
    static final class Enabled extends SpringBootCondition {
        @Override
        public ConditionOutcome getMatchOutcome(ConditionContext context, AnnotatedTypeMetadata metadata) {
            Environment environment = context.getEnvironment();
            Boolean enabled = environment.getProperty(ENABLED, Boolean.class);
            if (enabled == null) {
                enabled = environment.getProperty("management.health.defaults.enabled", Boolean.class, true);
            }
            return new ConditionOutcome(enabled, "jettySessions health indicator enabled: " + enabled);
        }
    }
}
