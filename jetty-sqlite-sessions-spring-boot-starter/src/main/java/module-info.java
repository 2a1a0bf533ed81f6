/**
 * Spring Boot's auto-configuration of the session stores. Every Spring module is required only statically: the
 * application brings its own Boot (3.5 or 4.0), and each optional part (Actuator, Spring Security, Micrometer, the
 * PostgreSQL store) is configured only when the application has it.
 */
module io.github.jettysqlite.sessions.spring {
    requires transitive io.github.jettysqlite.sessions;
    requires static io.github.jettysqlite.sessions.postgresql;
    requires static spring.core;
    requires static spring.beans;
    requires static spring.context;
    requires static spring.boot;
    requires static spring.boot.autoconfigure;
    requires static spring.boot.actuator;
    requires static spring.boot.actuator.autoconfigure;
    requires static spring.boot.health;
    requires static spring.security.core;
    requires static micrometer.core;

    exports io.github.jettysqlite.sessions.spring;

    // Spring subclasses the configuration classes, binds the properties classes and calls the beans' methods by deep
    // reflection, from modules this one cannot name in advance.
    opens io.github.jettysqlite.sessions.spring;
}
