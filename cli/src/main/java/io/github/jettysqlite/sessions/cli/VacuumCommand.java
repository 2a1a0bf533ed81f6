package io.github.jettysqlite.sessions.cli;

import io.github.jettysqlite.sessions.admin.SessionDatabaseAdmin;
import java.util.Map;
import picocli.CommandLine.Command;

@Command(
        name = "vacuum",
        mixinStandardHelpOptions = true,
        description = "Rebuild the file without free pages. Holds the write lock while it runs: prefer quiet hours.")
final class VacuumCommand extends AdminCommand {
    @Override
    boolean writes() {
        return true;
    }

    @Override
    int run(SessionDatabaseAdmin admin) throws Exception {
        long before = admin.stats().fileBytes();
        admin.vacuum();
        long after = admin.stats().fileBytes();
        Map<String, Object> doc = about(admin);
        doc.put("fileBytesBefore", before);
        doc.put("fileBytes", after);
        printDone(doc, "vacuumed: " + before + " -> " + after + " bytes");
        return 0;
    }
}
