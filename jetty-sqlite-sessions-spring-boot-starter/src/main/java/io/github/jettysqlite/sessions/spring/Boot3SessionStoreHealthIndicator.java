package io.github.jettysqlite.sessions.spring;

import org.springframework.boot.actuate.health.Health;
import org.springframework.boot.actuate.health.HealthIndicator;

/** The stores' health for Boot 3.5's Actuator, whose health API is in {@code org.springframework.boot.actuate}. */
final class Boot3SessionStoreHealthIndicator implements HealthIndicator {
    private final SessionStoreHealth health;

    Boot3SessionStoreHealthIndicator(SessionStoreHealth health) {
        this.health = health;
    }

    @Override
    public Health health() {
        SessionStoreHealth.Report report = health.check();
        return Health.status(report.status()).withDetails(report.details()).build();
    }
}
