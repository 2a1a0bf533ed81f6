package io.github.jettysqlite.sessions.cli;

import io.github.jettysqlite.sessions.admin.SessionDatabaseAdmin;
import io.github.jettysqlite.sessions.admin.SessionSummary;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(
        name = "list",
        mixinStandardHelpOptions = true,
        description = "List sessions, one a line, in key order; with --principal, one user's live sessions, most"
                + " recently used first.")
final class ListCommand extends AdminCommand {
    @Option(names = "--context", description = "Only this canonical context path (as stats shows it, e.g. _shop).")
    String context;

    @Option(names = "--principal", description = "Only the live sessions of this user, in every context.")
    String principal;

    @ArgGroup(exclusive = true)
    Expiry expiry;

    static final class Expiry {
        @Option(names = "--expired", description = "Only expired sessions.")
        boolean expired;

        @Option(names = "--live", description = "Only sessions that have not expired.")
        boolean live;
    }

    @Option(names = "--offset", defaultValue = "0", description = "Skip this many (default: ${DEFAULT-VALUE}).")
    int offset;

    @Option(
            names = "--limit",
            defaultValue = "100",
            description = "Show at most this many (default: ${DEFAULT-VALUE}).")
    int limit;

    @Override
    int run(SessionDatabaseAdmin admin) throws Exception {
        Boolean expired = expiry == null ? null : expiry.expired;
        long now = System.currentTimeMillis();
        List<SessionSummary> sessions = principal == null
                ? admin.list(context, expired, offset, limit)
                : admin.sessionsOf(principal).stream()
                        .filter(s -> context == null || s.contextPath().equals(context))
                        .skip(offset)
                        .limit(limit)
                        .toList();
        if (json()) {
            List<Object> doc = Json.array();
            sessions.forEach(s -> doc.add(summary(s, now)));
            out().println(Json.write(doc));
            return 0;
        }
        for (SessionSummary s : sessions) {
            out().printf(
                            "%s\t%s\t%s\tnode=%s\taccessed=%s\texpires=%s%s\t%d bytes%s%n",
                            s.id(),
                            s.contextPath(),
                            s.virtualHost(),
                            s.lastNode(),
                            time(s.accessed()),
                            time(s.expiry()),
                            s.isExpiredAt(now) ? " (expired)" : "",
                            s.attributeBytes(),
                            s.principal() == null ? "" : "\tuser=" + s.principal());
        }
        return 0;
    }

    /** One session's metadata as {@code list --json} and {@code show --json} print it. */
    static Map<String, Object> summary(SessionSummary s, long now) {
        Map<String, Object> session = Json.object();
        session.put("id", s.id());
        session.put("contextPath", s.contextPath());
        session.put("virtualHost", s.virtualHost());
        session.put("lastNode", s.lastNode());
        session.put("createdMs", s.created());
        session.put("accessedMs", s.accessed());
        session.put("expiresMs", s.expiry());
        session.put("expired", s.isExpiredAt(now));
        session.put("attributeBytes", s.attributeBytes());
        session.put("principal", s.principal());
        return session;
    }
}
