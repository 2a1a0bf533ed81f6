package io.github.jettysqlite.sessions.spring;

import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;

/** The stores' health for Boot 4.0, whose health API left Actuator for {@code org.springframework.boot.health}. */
final class Boot4SessionStoreHealthIndicator implements HealthIndicator {
    private final SessionStoreHealth health;

    Boot4SessionStoreHealthIndicator(SessionStoreHealth health) {
        this.health = health;
    }

    @Override
    public Health health() {
        SessionStoreHealth.Report report = health.check();
        return Health.status(report.status()).withDetails(report.details()).build();
    }
}
