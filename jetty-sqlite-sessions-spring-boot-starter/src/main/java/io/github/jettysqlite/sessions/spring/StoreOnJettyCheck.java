package io.github.jettysqlite.sessions.spring;

import io.github.jettysqlite.sessions.SessionTableDataStoreFactory;
import java.lang.reflect.Method;
import org.springframework.context.ApplicationContext;
import org.springframework.context.ApplicationListener;
import org.springframework.context.event.ContextRefreshedEvent;

/**
 * Stops an application whose session store was configured but never reached a Jetty server: one that runs on Tomcat
 * or Undertow with Jetty's jars also on the class path, say. Boot creates its web server before the context's
 * refresh completes, and on Jetty the server customizer has handed it the factory by then; if it has not, the
 * sessions would silently stay in memory.
 */
final class StoreOnJettyCheck implements ApplicationListener<ContextRefreshedEvent> {
    private volatile boolean addedToJetty;

    /** Called by the server customizer once it put the factory on Boot's Jetty server. */
    void addedToJetty() {
        addedToJetty = true;
    }

    @Override
    public void onApplicationEvent(ContextRefreshedEvent event) {
        ApplicationContext context = event.getApplicationContext();
        Object webServer = webServer(context);
        if (addedToJetty
                || webServer == null
                || context.getBeanProvider(SessionTableDataStoreFactory.class).getIfAvailable() == null) {
            return;
        }
        throw new IllegalStateException("A jetty-sqlite-sessions store is configured (jetty.sessions.*), but this"
                + " application's web server is " + webServer.getClass().getName() + ", not Jetty, so its sessions"
                + " would stay in memory. Use spring-boot-starter-jetty in place of the other server's starter, or"
                + " remove the jetty.sessions properties");
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
