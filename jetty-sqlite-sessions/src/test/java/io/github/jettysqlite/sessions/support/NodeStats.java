package io.github.jettysqlite.sessions.support;

import io.github.jettysqlite.sessions.SessionStoreStatistics;
import java.util.HashMap;
import java.util.Map;

/**
 * What a {@link NodeServer} counted of database failures, as its {@code ?stats} action answers them: statements the
 * store ran again on a fresh connection, outages it saw begin, work that gave up after the wait, loads, stores and
 * cached-copy checks that failed, requests the coherent cache refused (503) rather than give a new session, and
 * requests the store answered 503 because the database refused their session changes.
 */
public record NodeStats(
        long retries,
        long outages,
        long gaveUp,
        long loadFailures,
        long storeFailures,
        long checkFailures,
        long refused,
        long savesRefused) {

    public static NodeStats of(SessionStoreStatistics statistics, long refused) {
        return new NodeStats(
                statistics.getDatabaseRetries(),
                statistics.getDatabaseOutages(),
                statistics.getDatabaseGaveUp(),
                statistics.getLoadFailures(),
                statistics.getStoreFailures(),
                statistics.getCacheCheckFailures(),
                refused,
                statistics.getSavesRefused());
    }

    /** The node's answer: {@code name=value} pairs separated by spaces. */
    public String format() {
        return "retries=" + retries + " outages=" + outages + " gaveUp=" + gaveUp + " loadFailures=" + loadFailures
                + " storeFailures=" + storeFailures + " checkFailures=" + checkFailures + " refused=" + refused
                + " savesRefused=" + savesRefused;
    }

    public static NodeStats parse(String answer) {
        Map<String, Long> values = new HashMap<>();
        for (String pair : answer.trim().split(" ")) {
            String[] nameAndValue = pair.split("=", 2);
            values.put(nameAndValue[0], Long.parseLong(nameAndValue[1]));
        }
        return new NodeStats(
                values.get("retries"),
                values.get("outages"),
                values.get("gaveUp"),
                values.get("loadFailures"),
                values.get("storeFailures"),
                values.get("checkFailures"),
                values.get("refused"),
                values.get("savesRefused"));
    }

    /** Both nodes' counts added up, or what was counted since an earlier reading ({@code minus}). */
    public NodeStats plus(NodeStats other) {
        return new NodeStats(
                retries + other.retries,
                outages + other.outages,
                gaveUp + other.gaveUp,
                loadFailures + other.loadFailures,
                storeFailures + other.storeFailures,
                checkFailures + other.checkFailures,
                refused + other.refused,
                savesRefused + other.savesRefused);
    }

    public NodeStats minus(NodeStats earlier) {
        return new NodeStats(
                retries - earlier.retries,
                outages - earlier.outages,
                gaveUp - earlier.gaveUp,
                loadFailures - earlier.loadFailures,
                storeFailures - earlier.storeFailures,
                checkFailures - earlier.checkFailures,
                refused - earlier.refused,
                savesRefused - earlier.savesRefused);
    }
}
