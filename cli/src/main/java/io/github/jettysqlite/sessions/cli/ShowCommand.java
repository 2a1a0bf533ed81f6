package io.github.jettysqlite.sessions.cli;

import io.github.jettysqlite.sessions.SessionTableSettings;
import io.github.jettysqlite.sessions.admin.AttributeReader;
import io.github.jettysqlite.sessions.admin.SessionDatabaseAdmin;
import io.github.jettysqlite.sessions.admin.SessionDetail;
import io.github.jettysqlite.sessions.admin.SessionSummary;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * One session's metadata, its attributes' names and sizes (read from the row's layout, deserializing nothing),
 * and, asked for, their values.
 */
@Command(name = "show", mixinStandardHelpOptions = true, description = "One session's metadata and attributes.")
final class ShowCommand extends AdminCommand {
    @Parameters(paramLabel = "ID", description = "The session id (without Jetty's .node suffix).")
    String id;

    @Option(
            names = "--values",
            description = "Also deserialize and print attribute values (through the deserialization filter; a sealed"
                    + " row only once its seal verifies).")
    boolean values;

    @Option(names = "--classpath", split = ":", description = "Directories or jars holding the webapp's classes.")
    List<Path> classpath = List.of();

    @Option(names = "--filter", description = "ObjectInputFilter pattern (default: the store's default filter).")
    String filter = SessionTableSettings.DEFAULT_DESERIALIZATION_FILTER;

    @Option(
            names = "--attribute-key",
            paramLabel = "env:NAME|file:PATH",
            description = "Where the key(s) that sealed the rows are, comma-separated (the store's attributeKey and"
                    + " attributeOldKeys); a sealed row's values are read only once its seal verifies. With keys,"
                    + " an unsealed row's values are refused unless --accept-unsealed.")
    String attributeKeys;

    @Option(
            names = "--accept-unsealed",
            description = "With --attribute-key, still read the values of a row that carries no seal.")
    boolean acceptUnsealed;

    @Override
    int run(SessionDatabaseAdmin admin) throws Exception {
        List<SessionDetail> sessions = admin.show(id, attributeKeys);
        if (sessions.isEmpty()) {
            throw new CommandFailure(SessionsCli.FAILED, "no session with id " + id);
        }
        if (json()) {
            out().println(Json.write(toJson(sessions)));
            return 0;
        }
        for (SessionDetail session : sessions) {
            SessionSummary s = session.summary();
            out().printf("session %s in context %s, virtual host %s%n", s.id(), s.contextPath(), s.virtualHost());
            out().printf(
                            "  last node      %s%n  created        %s%n  accessed       %s%n  last accessed  %s%n",
                            s.lastNode(), time(s.created()), time(s.accessed()), time(session.lastAccessed()));
            out().printf(
                            "  last saved     %s%n  expires        %s%n  max inactive   %d ms%n  attributes     %d bytes%n",
                            time(session.lastSaved()), time(s.expiry()), session.maxInactiveMs(), s.attributeBytes());
            if (values) {
                readValues(session).forEach((name, value) -> out().printf(
                                "  attribute %s: %s = %s%n", name, value.type(), value.text()));
            } else {
                printSizes(session);
            }
        }
        return 0;
    }

    /** Every row with this id (one per context that has it), as one JSON array. */
    private List<Object> toJson(List<SessionDetail> sessions) throws Exception {
        long now = System.currentTimeMillis();
        List<Object> doc = Json.array();
        for (SessionDetail session : sessions) {
            Map<String, Object> entry = ListCommand.summary(session.summary(), now);
            entry.put("lastAccessedMs", session.lastAccessed());
            entry.put("lastSavedMs", session.lastSaved());
            entry.put("maxInactiveMs", session.maxInactiveMs());
            Map<String, Object> attributes = Json.object();
            if (values) {
                readValues(session).forEach((name, value) -> {
                    Map<String, Object> attribute = Json.object();
                    attribute.put("type", value.type());
                    attribute.put("value", value.text());
                    attributes.put(name, attribute);
                });
            } else {
                Map<String, Integer> sizes = AttributeReader.sizes(session);
                if (sizes == null) {
                    // A row in Jetty's whole-map form: names and sizes need deserializing, which only --values does.
                    entry.put("attributesUnlisted", "stored as one serialized map; use --values to read them");
                } else {
                    sizes.forEach((name, bytes) -> {
                        Map<String, Object> attribute = Json.object();
                        attribute.put("bytes", bytes);
                        attributes.put(name, attribute);
                    });
                }
            }
            entry.put("attributes", attributes);
            doc.add(entry);
        }
        return doc;
    }

    /** Names and sizes come from the row's layout: nothing is deserialized, so a planted row is safe to look at. */
    private void printSizes(SessionDetail session) throws Exception {
        Map<String, Integer> sizes = AttributeReader.sizes(session);
        if (sizes == null) {
            out().println("  (attributes in Jetty's whole-map form, written before this layout: --values reads them)");
            return;
        }
        sizes.forEach((name, bytes) -> out().printf("  attribute %s: %d bytes%n", name, bytes));
    }

    /** An attribute's class and its {@code toString()}, taken while the webapp's classes are loadable. */
    private record Shown(String type, String text) {}

    /**
     * The attributes' values, read through the filter with the webapp's classes, and under the unsealed-row policy
     * of a store that refuses unsealed rows whenever keys are given (unless --accept-unsealed). Values are turned
     * into text before the class loader closes.
     *
     * @throws CommandFailure saying why, when they cannot be read
     */
    private Map<String, Shown> readValues(SessionDetail session) throws Exception {
        URL[] urls = new URL[classpath.size()];
        for (int i = 0; i < urls.length; i++) {
            urls[i] = classpath.get(i).toUri().toURL();
        }
        boolean readUnsealed = attributeKeys == null || acceptUnsealed;
        try (URLClassLoader loader = new URLClassLoader(urls, getClass().getClassLoader())) {
            try {
                Map<String, Shown> shown = new LinkedHashMap<>();
                AttributeReader.values(session, loader, filter, attributeKeys, readUnsealed)
                        .forEach((name, value) ->
                                shown.put(name, new Shown(value.getClass().getName(), String.valueOf(value))));
                return shown;
            } catch (Exception e) {
                throw new CommandFailure(
                        SessionsCli.FAILED,
                        "cannot read the attributes: " + rootMessage(e)
                                + " (a missing class can be given with --classpath, a sealed row's key with"
                                + " --attribute-key; a rejected class is what the filter is for)");
            }
        }
    }

    private static String rootMessage(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null) {
            root = root.getCause();
        }
        return root.getClass().getSimpleName() + ": " + root.getMessage();
    }
}
