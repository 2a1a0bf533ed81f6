package io.github.jettysqlite.sessions.cli;

import io.github.jettysqlite.sessions.admin.SessionDatabaseAdmin;
import java.nio.file.Files;
import java.nio.file.Path;
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
            err().println("error: " + target + " exists; add --force to overwrite it");
            return SessionsCli.FAILED;
        }
        admin.backup(target, force, progressBar("copying pages"));
        out().println("backed up to " + target + " (integrity check ok)");
        return 0;
    }
}
