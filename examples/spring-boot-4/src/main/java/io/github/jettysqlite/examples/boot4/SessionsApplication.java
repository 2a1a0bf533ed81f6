package io.github.jettysqlite.examples.boot4;

import io.github.jettysqlite.sessions.SQLiteSessionDataStoreFactory;
import io.github.jettysqlite.sessions.SQLiteSessionSettings;
import jakarta.servlet.http.HttpSession;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.jetty.servlet.JettyServletWebServerFactory;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * Spring Boot 4.0.7 on Jetty, servlet sessions (not Spring Session) kept in SQLite: {@code GET /} answers
 * {@code visits: N}, counted in the session.
 */
@SpringBootApplication
@EnableConfigurationProperties(SqliteSessionsProperties.class)
@RestController
public class SessionsApplication {
    public static void main(String[] args) {
        SpringApplication.run(SessionsApplication.class, args);
    }

    /** Puts the store's factory on Boot's Jetty server, where every context's session handler finds it. */
    @Bean
    WebServerFactoryCustomizer<JettyServletWebServerFactory> sqliteSessions(SqliteSessionsProperties properties) {
        return jetty -> jetty.addServerCustomizers(server -> {
            SQLiteSessionSettings settings = new SQLiteSessionSettings();
            settings.setDatabaseFile(properties.file());
            settings.setTableName(properties.table());
            settings.setSynchronous(properties.synchronous());
            SQLiteSessionDataStoreFactory sessions = new SQLiteSessionDataStoreFactory(settings);
            sessions.validate();
            server.addBean(sessions);
        });
    }

    @GetMapping("/")
    String visit(HttpSession session) {
        Integer previous = (Integer) session.getAttribute("visits");
        int visits = previous == null ? 1 : previous + 1;
        session.setAttribute("visits", visits);
        return "visits: " + visits;
    }
}
