package io.github.jettysqlite.sessions.support;

import io.github.jettysqlite.sessions.UserSessions;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpSessionEvent;
import jakarta.servlet.http.HttpSessionListener;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.security.ConstraintMapping;
import org.eclipse.jetty.ee10.servlet.security.ConstraintSecurityHandler;
import org.eclipse.jetty.security.Constraint;
import org.eclipse.jetty.security.HashLoginService;
import org.eclipse.jetty.security.UserStore;
import org.eclipse.jetty.security.authentication.FormAuthenticator;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.util.security.Credential;

/**
 * Child process of {@code AbstractUserSessionsNodesIT}: one Jetty node whose {@code /app/} pages need a FORM login
 * (users alice and bob, password {@code secret}), with the coherent session cache over a store of this library.
 * Prints {@code READY <port>} once it listens.
 *
 * <p>Arguments: the SQLite file or a {@code jdbc:postgresql:} URL, and the node's name. Pages:
 *
 * <ul>
 *   <li>{@code /login}: the login page, {@code login page} (the form posts to {@code /j_security_check});
 *   <li>{@code /app/whoami}: the user and the session id;
 *   <li>{@code /app/sessions}: the user's sessions in this context, {@code id} per line, through {@link UserSessions};
 *   <li>{@code /app/end-others} and {@code /app/end-all}: end the user's other sessions, or all of them, through
 *       {@link UserSessions}; answer how many were ended;
 *   <li>{@code /destroyed}: the ids of the sessions this node's {@code HttpSessionListener} saw destroyed, one per
 *       line.
 * </ul>
 */
public final class LoginNodeServer {
    private static final List<String> DESTROYED = new CopyOnWriteArrayList<>();

    private LoginNodeServer() {}

    public static void main(String[] args) throws Exception {
        Server server = NodeServer.node(args[1]);
        server.addBean(NodeServer.cacheFactory("coherent"));
        server.addBean(NodeServer.factoryFor(args[0]));

        ServletContextHandler context =
                new ServletContextHandler(ServletContextHandler.SESSIONS | ServletContextHandler.SECURITY);
        context.setContextPath("/");
        context.addServlet(Pages.class, "/app/*");
        context.addServlet(LoginPage.class, "/login");
        context.addServlet(Destroyed.class, "/destroyed");
        context.getSessionHandler().addEventListener(new HttpSessionListener() {
            @Override
            public void sessionDestroyed(HttpSessionEvent event) {
                DESTROYED.add(event.getSession().getId());
            }
        });
        context.setSecurityHandler(security());
        server.setHandler(context);
        NodeServer.serve(server);
    }

    private static ConstraintSecurityHandler security() {
        UserStore users = new UserStore();
        for (String name : List.of("alice", "bob")) {
            users.addUser(name, Credential.getCredential("secret"), new String[] {"user"});
        }
        HashLoginService login = new HashLoginService("nodes");
        login.setUserStore(users);
        ConstraintSecurityHandler security = new ConstraintSecurityHandler();
        security.setLoginService(login);
        security.setAuthenticator(new FormAuthenticator("/login", "/login?error", false));
        ConstraintMapping app = new ConstraintMapping();
        app.setPathSpec("/app/*");
        app.setConstraint(Constraint.from("user"));
        security.addConstraintMapping(app);
        return security;
    }

    public static final class Pages extends HttpServlet {
        @Override
        protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
            UserSessions mine = UserSessions.of(request.getSession());
            try {
                String answer =
                        switch (request.getPathInfo()) {
                            case "/whoami" ->
                                mine.principal() + " " + request.getSession().getId();
                            case "/sessions" ->
                                String.join(
                                        "\n",
                                        mine.list().stream().map(s -> s.id()).toList());
                            case "/end-others" -> String.valueOf(mine.endOthers());
                            case "/end-all" -> String.valueOf(mine.endAll());
                            default -> "unknown page";
                        };
                response.getWriter().print(answer);
            } catch (Exception e) {
                throw new IOException(e);
            }
        }
    }

    public static final class LoginPage extends HttpServlet {
        @Override
        protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
            response.getWriter().print(request.getParameter("error") == null ? "login page" : "login failed");
        }
    }

    public static final class Destroyed extends HttpServlet {
        @Override
        protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
            response.getWriter().print(String.join("\n", DESTROYED));
        }
    }
}
