package io.github.jettysqlite.sessions.cli;

import io.github.jettysqlite.sessions.admin.RowSealing;
import io.github.jettysqlite.sessions.admin.SessionDatabaseAdmin;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(
        name = "seal",
        mixinStandardHelpOptions = true,
        description = {
            "Seal every row under the stores' attribute key, in place, a page at a time, while Jetty keeps running:"
                    + " rows never sealed, sealed under an old key, or in the older seal format. Rows already"
                    + " current are left alone, so running it again changes nothing.",
            "With --dry-run, count the rows by how they are sealed (key ids, never keys) and change nothing."
        })
final class SealCommand extends AdminCommand {
    @Option(
            names = "--attribute-key",
            description = "Where the stores' key is: env:NAME or file:PATH (required unless --dry-run).")
    String attributeKey;

    @Option(
            names = "--attribute-old-keys",
            description = "Keys rows may still be sealed with (a rotation), comma-separated env:NAME or file:PATH.")
    String attributeOldKeys;

    @Option(
            names = "--include-unsealed",
            description = "Seal rows that have no seal too (switching sealing on). Anyone who can write to the"
                    + " database could have planted such a row: use it only on a table whose rows are the servers'.")
    boolean includeUnsealed;

    @Option(
            names = "--encrypt",
            description = "Also encrypt every attribute at rest, as stores with encryptAttributes do.")
    boolean encrypt;

    @Option(
            names = "--plain-ids",
            description = "Leave session ids as they are, for servers that run with protectSessionIds=false; by"
                    + " default rows are moved under the key's hash of their id, as servers with a key keep them.")
    boolean plainIds;

    @Option(names = "--dry-run", description = "Only count the rows by how they are sealed.")
    boolean dryRun;

    @Override
    boolean writes() {
        return !dryRun;
    }

    @Override
    void beforeOpening() throws CommandFailure {
        if (!dryRun && (attributeKey == null || attributeKey.isBlank())) {
            throw new CommandFailure(2, "seal needs --attribute-key env:NAME or file:PATH (or --dry-run to count)");
        }
    }

    @Override
    int run(SessionDatabaseAdmin admin) throws Exception {
        Map<String, Object> doc = about(admin);
        if (dryRun) {
            Map<String, Long> states = admin.sealStates();
            doc.put("dryRun", true);
            doc.put("rows", states);
            StringBuilder text = new StringBuilder();
            states.forEach((state, count) ->
                    text.append(state).append(": ").append(count).append('\n'));
            printFound(doc, text.length() == 0 ? "no rows" : text.toString().trim());
            return 0;
        }
        RowSealing.Outcome outcome =
                admin.seal(attributeKey, attributeOldKeys, encrypt, includeUnsealed, !plainIds, progress("sealing"));
        doc.put("dryRun", false);
        doc.put("sealed", outcome.sealed());
        doc.put("alreadyCurrent", outcome.alreadyCurrent());
        doc.put("changedMeanwhile", outcome.changedMeanwhile());
        doc.put("unverifiable", outcome.unverifiable());
        doc.put("jettyStream", outcome.jettyStream());
        printDone(
                doc,
                "sealed " + outcome.sealed() + " rows; " + outcome.alreadyCurrent() + " were current, "
                        + outcome.changedMeanwhile() + " changed meanwhile (sealed by their server), "
                        + outcome.unverifiable() + " could not be verified (left as they are), "
                        + outcome.jettyStream() + " in Jetty's stream layout (sealed by their server on their next"
                        + " store)");
        return outcome.unverifiable() > 0 ? 1 : 0;
    }
}
