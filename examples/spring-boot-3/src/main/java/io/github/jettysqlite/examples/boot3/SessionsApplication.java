package io.github.jettysqlite.examples.boot3;

import jakarta.servlet.http.HttpSession;
import java.security.Principal;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * Spring Boot 3.5.7 on Jetty, servlet sessions (not Spring Session) kept in SQLite: {@code GET /} answers
 * {@code visits: N}, counted in the session. No code for it: the starter on the class path and
 * {@code jetty.sessions.sqlite.file} in {@code application.properties} are all it takes. {@code GET /me} answers who
 * is logged in, after a form login ({@link SecurityConfiguration}: one session per user, on every instance).
 */
@SpringBootApplication
@RestController
public class SessionsApplication {
    public static void main(String[] args) {
        SpringApplication.run(SessionsApplication.class, args);
    }

    @GetMapping("/")
    String visit(HttpSession session) {
        Integer previous = (Integer) session.getAttribute("visits");
        int visits = previous == null ? 1 : previous + 1;
        session.setAttribute("visits", visits);
        return "visits: " + visits;
    }

    @GetMapping("/me")
    String me(Principal user) {
        return user.getName();
    }
}
