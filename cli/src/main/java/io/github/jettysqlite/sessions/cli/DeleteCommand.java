package io.github.jettysqlite.sessions.cli;

import io.github.jettysqlite.sessions.admin.SessionDatabaseAdmin;
import java.util.Map;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(
        name = "delete",
        mixinStandardHelpOptions = true,
        description = "Delete the sessions of one user (--principal), in every context, or one session (--id), logging"
                + " them out on every node whose cache checks the table (the coherent cache, the default). Asks first"
                + " on a terminal; elsewhere needs --yes.")
final class DeleteCommand extends SessionDeletion {
    @ArgGroup(exclusive = true, multiplicity = "1")
    Which which;

    static final class Which {
        @Option(names = "--principal", description = "The user name whose sessions go (as list --principal shows).")
        String principal;

        @Option(names = "--id", description = "The session id that goes, in every context holding it.")
        String id;
    }

    @Option(
            names = "--attribute-key",
            description = "With protected ids: where the store's key(s) are (env:NAME or file:PATH, comma-separated),"
                    + " so that --id finds a session by the id its browser holds; without it, --id is the value the"
                    + " table holds (list shows it).")
    String attributeKeys;

    @Override
    long count(SessionDatabaseAdmin admin) throws Exception {
        return which.principal != null
                ? admin.countSessionsOf(which.principal)
                : admin.show(which.id, attributeKeys).size();
    }

    @Override
    long delete(SessionDatabaseAdmin admin) throws Exception {
        if (which.principal != null) {
            return admin.deleteSessionsOf(which.principal, null);
        }
        int deleted = admin.deleteSession(which.id, attributeKeys);
        if (deleted == 0) {
            // An operator ending a session they believe compromised must not be told "removed 0" and move on.
            throw new CommandFailure(
                    SessionsCli.FAILED,
                    "no session with id " + which.id + " in " + admin.location()
                            + (attributeKeys == null
                                    ? " (with protected ids the table holds a hash: give --attribute-key, or the"
                                            + " value list shows)"
                                    : ""));
        }
        return deleted;
    }

    @Override
    String noun() {
        return which.principal != null ? "sessions of " + which.principal : "sessions with id " + which.id;
    }

    @Override
    void describe(Map<String, Object> doc) {
        doc.put(which.principal != null ? "principal" : "id", which.principal != null ? which.principal : which.id);
    }
}
