package io.github.jettysqlite.sessions.spring;

import org.springframework.beans.factory.ListableBeanFactory;

/** The application's Micrometer registry, looked up by name so that nothing here needs Micrometer to load. */
final class MeterRegistries {
    static final String METER_REGISTRY = "io.micrometer.core.instrument.MeterRegistry";

    private MeterRegistries() {}

    /** The registry, or null when Micrometer is absent or the application has no single registry. */
    static Object find(ListableBeanFactory beans) {
        try {
            Class<?> type = Class.forName(METER_REGISTRY, false, MeterRegistries.class.getClassLoader());
            return beans.getBeanProvider(type).getIfUnique();
        } catch (ClassNotFoundException e) {
            return null;
        }
    }
}
