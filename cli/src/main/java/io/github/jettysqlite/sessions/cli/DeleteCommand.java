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

    @Override
    long count(SessionDatabaseAdmin admin) throws Exception {
        return which.principal != null
                ? admin.countSessionsOf(which.principal)
                : admin.show(which.id).size();
    }

    @Override
    long delete(SessionDatabaseAdmin admin) throws Exception {
        return which.principal != null ? admin.deleteSessionsOf(which.principal, null) : admin.deleteSession(which.id);
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
