package io.github.jettysqlite.sessions.cli;

import io.github.jettysqlite.sessions.SQLiteSessionDataStore;
import io.github.jettysqlite.sessions.SessionDatabaseAdmin;
import java.io.ByteArrayOutputStream;
import java.io.ObjectOutputStream;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "show", mixinStandardHelpOptions = true, description = "One session's metadata and attributes.")
final class ShowCommand extends AdminCommand {
    @Parameters(paramLabel = "ID", description = "The session id (without Jetty's .node suffix).")
    String id;

    @Option(names = "--values", description = "Also print attribute values (read through the deserialization filter).")
    boolean values;

    @Option(names = "--classpath", split = ":", description = "Directories or jars holding the webapp's classes.")
    List<Path> classpath = List.of();

    @Option(names = "--filter", description = "ObjectInputFilter pattern (default: the store's default filter).")
    String filter = SQLiteSessionDataStore.DEFAULT_DESERIALIZATION_FILTER;

    @Option(
            names = "--attribute-key",
            paramLabel = "env:NAME|file:PATH",
            description = "Where the key(s) that sealed the rows are, comma-separated (the store's attributeKey and"
                    + " attributeOldKeys); a sealed row is read only once its seal verifies.")
    String attributeKeys;

    @Override
    int run(SessionDatabaseAdmin admin) throws Exception {
        List<SessionDatabaseAdmin.SessionDetail> sessions = admin.show(id);
        if (sessions.isEmpty()) {
            err().println("error: no session with id " + id);
            return SessionsCli.FAILED;
        }
        int status = 0;
        for (SessionDatabaseAdmin.SessionDetail session : sessions) {
            SessionDatabaseAdmin.SessionSummary s = session.summary();
            out().printf("session %s in context %s, virtual host %s%n", s.id(), s.contextPath(), s.virtualHost());
            out().printf(
                            "  last node      %s%n  created        %s%n  accessed       %s%n  last accessed  %s%n",
                            s.lastNode(), time(s.created()), time(s.accessed()), time(session.lastAccessed()));
            out().printf(
                            "  last saved     %s%n  expires        %s%n  max inactive   %d ms%n  attributes     %d bytes%n",
                            time(session.lastSaved()), time(s.expiry()), session.maxInactiveMs(), s.attributeBytes());
            status |= printAttributes(session);
        }
        return status;
    }

    private int printAttributes(SessionDatabaseAdmin.SessionDetail session) throws Exception {
        URL[] urls = new URL[classpath.size()];
        for (int i = 0; i < urls.length; i++) {
            urls[i] = classpath.get(i).toUri().toURL();
        }
        try (URLClassLoader loader = new URLClassLoader(urls, getClass().getClassLoader())) {
            Map<String, Object> attributes;
            try {
                attributes = SessionDatabaseAdmin.readAttributes(session, loader, filter, attributeKeys);
            } catch (Exception e) {
                err().println("error: cannot read the attributes: " + rootMessage(e)
                        + " (a missing class can be given with --classpath, a sealed row's key with --attribute-key; a rejected"
                        + " class is what the filter is for)");
                return SessionsCli.FAILED;
            }
            for (Map.Entry<String, Object> attribute : attributes.entrySet()) {
                Object value = attribute.getValue();
                out().printf(
                                "  attribute %s: %s, %d bytes%s%n",
                                attribute.getKey(),
                                value.getClass().getName(),
                                sizeOf(value),
                                values ? " = " + value : "");
            }
        }
        return 0;
    }

    private static long sizeOf(Object value) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(value);
        } catch (Exception e) {
            return -1;
        }
        return bytes.size();
    }

    private static String rootMessage(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null) {
            root = root.getCause();
        }
        return root.getClass().getSimpleName() + ": " + root.getMessage();
    }
}
