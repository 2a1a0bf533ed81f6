package io.github.jettysqlite.sessions.spring;

import io.github.jettysqlite.sessions.SessionTableDataStoreFactory;
import io.github.jettysqlite.sessions.SessionTableSettings;

/** The settings both engines' stores share, bound under their engine's prefix. */
public abstract class SessionTableProperties {
    /** The table holding the sessions: [A-Za-z_][A-Za-z0-9_]{0,62}. */
    private String table = SessionTableSettings.DEFAULT_TABLE_NAME;

    /**
     * ObjectInputFilter pattern (jdk.serialFilter syntax) every session attribute is read through. Unset: the
     * library's default, graph limits plus a deny-list of known gadget classes; an allow-list of your packages and
     * the JDK's is stronger.
     */
    private String deserializationFilter;

    /**
     * Seals every attribute blob with HMAC-SHA256: where the key is, env:NAME or file:PATH (32 bytes or more).
     * Unset: nothing is sealed.
     */
    private String attributeKey;

    /** Keys that still verify seals after a rotation, comma-separated, each env:NAME or file:PATH. */
    private String attributeOldKeys;

    /**
     * With a key: whether rows without a seal are read (and sealed on their next write). Off by default: switch it on
     * only while sealing an existing table, then run the seal command and switch it off.
     */
    private boolean acceptUnsealedRows;

    /**
     * Whether attributes changed in place, without setAttribute, are saved (every attribute is serialized and compared
     * on each store). Off saves that work when the application always calls setAttribute after a change.
     */
    private boolean saveInPlaceChanges = true;

    /**
     * Seconds within which Jetty skips writing a session whose only change is its access time. 0 writes every time;
     * with a NullSessionCache, 1 avoids the second write Jetty makes at the end of every request.
     */
    private int savePeriodSec = 0;

    /** Seconds past expiry before a session of a context that no longer runs is deleted. */
    private int gracePeriodSec = 3600;

    /** Copies these settings onto the engine's settings and factory. */
    protected void applyTo(SessionTableSettings settings, SessionTableDataStoreFactory<?> factory) {
        settings.setTableName(table);
        if (deserializationFilter != null) {
            settings.setDeserializationFilter(deserializationFilter);
        }
        settings.setAttributeKey(attributeKey);
        settings.setAttributeOldKeys(attributeOldKeys);
        settings.setAcceptUnsealedRows(acceptUnsealedRows);
        settings.setSaveInPlaceChanges(saveInPlaceChanges);
        factory.setSavePeriodSec(savePeriodSec);
        factory.setGracePeriodSec(gracePeriodSec);
    }

    public String getTable() {
        return table;
    }

    public void setTable(String table) {
        this.table = table;
    }

    public String getDeserializationFilter() {
        return deserializationFilter;
    }

    public void setDeserializationFilter(String deserializationFilter) {
        this.deserializationFilter = deserializationFilter;
    }

    public String getAttributeKey() {
        return attributeKey;
    }

    public void setAttributeKey(String attributeKey) {
        this.attributeKey = attributeKey;
    }

    public String getAttributeOldKeys() {
        return attributeOldKeys;
    }

    public void setAttributeOldKeys(String attributeOldKeys) {
        this.attributeOldKeys = attributeOldKeys;
    }

    public boolean isAcceptUnsealedRows() {
        return acceptUnsealedRows;
    }

    public void setAcceptUnsealedRows(boolean acceptUnsealedRows) {
        this.acceptUnsealedRows = acceptUnsealedRows;
    }

    public boolean isSaveInPlaceChanges() {
        return saveInPlaceChanges;
    }

    public void setSaveInPlaceChanges(boolean saveInPlaceChanges) {
        this.saveInPlaceChanges = saveInPlaceChanges;
    }

    public int getSavePeriodSec() {
        return savePeriodSec;
    }

    public void setSavePeriodSec(int savePeriodSec) {
        this.savePeriodSec = savePeriodSec;
    }

    public int getGracePeriodSec() {
        return gracePeriodSec;
    }

    public void setGracePeriodSec(int gracePeriodSec) {
        this.gracePeriodSec = gracePeriodSec;
    }
}
