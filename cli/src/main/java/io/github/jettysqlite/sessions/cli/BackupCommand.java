package io.github.jettysqlite.sessions.cli;

import io.github.jettysqlite.sessions.admin.SessionDatabaseAdmin;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(
        name = "backup",
        mixinStandardHelpOptions = true,
        description = "Copy the live database with SQLite's online backup from one snapshot (it finishes however"
                + " busy the server is), check the copy's integrity, then move it into place.")
final class BackupCommand extends AdminCommand {
    @Parameters(paramLabel = "FILE", description = "Where to write the copy.")
    Path target;

    @Option(names = "--force", description = "Overwrite FILE if it exists.")
    boolean force;

    @Override
    int run(SessionDatabaseAdmin admin) throws Exception {
        if (Files.exists(target) && !force) {
            throw new CommandFailure(SessionsCli.FAILED, target + " exists; add --force to overwrite it");
        }
        admin.backup(target, force, progress("copying pages"));
        Map<String, Object> doc = about(admin);
        doc.put("backup", target.toAbsolutePath().toString());
        doc.put("bytes", Files.size(target));
        doc.put("integrity", "ok");
        printDone(doc, "backed up to " + target + " (integrity check ok)");
        return 0;
    }
}
