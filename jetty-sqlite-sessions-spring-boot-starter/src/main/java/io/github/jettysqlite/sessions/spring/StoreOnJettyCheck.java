package io.github.jettysqlite.sessions.spring;

import io.github.jettysqlite.sessions.SessionTableDataStore;
import io.github.jettysqlite.sessions.SessionTableDataStoreFactory;
import java.lang.reflect.Method;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.session.AbstractSessionManager;
import org.eclipse.jetty.session.SessionCache;
import org.springframework.context.ApplicationContext;
import org.springframework.context.ApplicationListener;
import org.springframework.context.event.ContextRefreshedEvent;

/**
 * Stops an application whose session store was configured but does not keep its sessions: one that runs on Tomcat
 * or Undertow with Jetty's jars also on the class path, say, or one of whose contexts had its session cache set by
 * some other code. Boot creates and starts its web server before the context's refresh completes, and on Jetty the
 * server customizer has handed it the factory by then; if it has not, or a started context's sessions are kept
 * elsewhere, the sessions would silently stay in memory or in another store.
 */
final class StoreOnJettyCheck implements ApplicationListener<ContextRefreshedEvent> {
    private final List<Server> servers = new CopyOnWriteArrayList<>();

    /** Called by the server customizer once it put the factory on one of Boot's Jetty servers. */
    void addedToJetty(Server server) {
        servers.add(server);
    }

    @Override
    public void onApplicationEvent(ContextRefreshedEvent event) {
        ApplicationContext context = event.getApplicationContext();
        if (context.getBeanProvider(SessionTableDataStoreFactory.class).getIfAvailable() == null) {
            return;
        }
        if (servers.isEmpty()) {
            Object webServer = webServer(context);
            if (webServer != null) {
                throw new IllegalStateException("A jetty-sqlite-sessions store is configured (jetty.sessions.*), but"
                        + " this application's web server is "
                        + webServer.getClass().getName() + ", not Jetty, so"
                        + " its sessions would stay in memory. Use spring-boot-starter-jetty in place of the other"
                        + " server's starter, or remove the jetty.sessions properties");
            }
        }
        servers.forEach(StoreOnJettyCheck::requireStoreOnEveryContext);
    }

    /** Every started session manager on the server keeps its sessions in a store of this library. */
    private static void requireStoreOnEveryContext(Server server) {
        for (AbstractSessionManager manager : server.getContainedBeans(AbstractSessionManager.class)) {
            SessionCache cache = manager.getSessionCache();
            if (!manager.isStarted() || cache == null || cache.getSessionDataStore() instanceof SessionTableDataStore) {
                continue;
            }
            Object store = cache.getSessionDataStore();
            throw new IllegalStateException("A jetty-sqlite-sessions store is configured (jetty.sessions.*), but the"
                    + " sessions of context " + manager.getContext().getContextPath() + " are kept by "
                    + (store == null ? "no store" : store.getClass().getName()) + ": remove the code that sets that"
                    + " context's session cache, or the jetty.sessions properties");
        }
    }

    /**
     * The embedded web server of a Boot application context, or null for a context without one (a test's mock web
     * context, a child context). Looked up by name: the interface that declares it moved in Boot 4.0.
     */
    private static Object webServer(ApplicationContext context) {
        try {
            Method getter = context.getClass().getMethod("getWebServer");
            return getter.invoke(context);
        } catch (ReflectiveOperationException | RuntimeException e) {
            return null;
        }
    }
}
