package io.github.jettysqlite.examples;

import java.nio.file.Path;
import java.util.Map;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.util.resource.ResourceFactory;
import org.eclipse.jetty.xml.XmlConfiguration;

/**
 * The visit counter again, with the session store and cache configured by {@code sqlite-sessions.xml} through
 * Jetty's {@link XmlConfiguration}: the same XML a standalone Jetty user puts in {@code jetty.xml}.
 *
 * <p>Arguments: {@code [port [database file]]}, defaults 8080 and {@code sessions.db}.
 */
public final class XmlConfiguredDemo {
    private XmlConfiguredDemo() {}

    public static void main(String[] args) throws Exception {
        int port = args.length > 0 ? Integer.parseInt(args[0]) : 8080;
        Path database = Path.of(args.length > 1 ? args[1] : "sessions.db");
        Server server = newServer(port, database);
        server.start();
        server.join();
    }

    public static Server newServer(int port, Path database) throws Exception {
        Server server = new Server(port);
        server.setStopAtShutdown(true);
        try (ResourceFactory.Closeable resources = ResourceFactory.closeable()) {
            XmlConfiguration xml = new XmlConfiguration(resources.newClassLoaderResource("sqlite-sessions.xml"));
            xml.getProperties().putAll(Map.of("sessions.file", database.toString()));
            xml.configure(server);
        }
        ServletContextHandler context = new ServletContextHandler(ServletContextHandler.SESSIONS);
        context.setContextPath("/");
        context.addServlet(VisitCounterDemo.VisitCounter.class, "/");
        server.setHandler(context);
        return server;
    }
}
