package io.github.jettysqlite.sessions.spring;

import io.github.jettysqlite.sessions.SchemaMode;
import io.github.jettysqlite.sessions.SessionTableDataStoreFactory;
import io.github.jettysqlite.sessions.SessionTableSettings;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.List;
import org.springframework.boot.convert.DurationUnit;
import org.springframework.core.env.Environment;

/** The settings both engines' stores share, bound under their engine's prefix. */
public abstract class SessionTableProperties {
    private final String prefix;
    private final List<Renamed> renamed;

    /** The table holding the sessions: [A-Za-z_][A-Za-z0-9_]{0,62}. */
    private String table = SessionTableSettings.DEFAULT_TABLE_NAME;

    /**
     * Who keeps the table's schema: CREATE, the store (it creates the table and upgrades an older layout as it starts);
     * VALIDATE, whoever runs the database (the store changes nothing and refuses to start on a missing or older table,
     * naming the statements to run); NONE, the same without any check.
     */
    private SchemaMode schemaMode = SchemaMode.CREATE;

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
     * With a key: whether each attribute is also encrypted at rest (AES-256-GCM under a key derived from the attribute
     * key), so that the file, its backups and a migration target hold no attribute in the clear. Rows written before
     * are encrypted on their next write, or by the seal command.
     */
    private boolean encryptAttributes;

    /**
     * Whether each row records who its session is logged in as (Spring Security's context, Jetty's authentication, or
     * the principal attribute), so that a user's sessions can be listed and ended.
     */
    private boolean recordPrincipal = true;

    /**
     * The session attribute the application keeps its logged-in user in (a name, a Principal, or an object with
     * getUserPrincipal() or getAuthentication()), for applications using neither Spring Security nor Jetty's login.
     */
    private String principalAttribute;

    /**
     * Whether attributes changed in place, without setAttribute, are saved (every attribute is serialized and compared
     * on each store). Off saves that work when the application always calls setAttribute after a change.
     */
    private boolean saveInPlaceChanges = true;

    /**
     * Whether a request whose session changes the database refused (unreachable, locked or full past the wait) is
     * answered 503 with Retry-After, its changes dropped, rather than answered as if they were kept. Needs
     * jetty.sessions.flush-on-response-commit (on by default).
     */
    private boolean refuseFailedSaves = true;

    /**
     * With an attribute-key, keep a keyed hash of each session id in the table instead of the id (the id itself only
     * encrypted beside it), so nothing in the database or its backups can be presented as a cookie.
     */
    private boolean protectSessionIds = true;

    /**
     * The absolute lifetime of a session from its creation, whatever its activity (OWASP's absolute timeout), in whole
     * seconds (a bare number is seconds). 0, the default, sets none.
     */
    @DurationUnit(ChronoUnit.SECONDS)
    private Duration maxSessionLifetime = Duration.ZERO;

    /**
     * How long Jetty skips writing a session whose only change is its access time, in whole seconds (a bare number
     * is seconds). 0 writes every time; with the null cache, 1s avoids the second write Jetty makes at the end of
     * every request.
     */
    @DurationUnit(ChronoUnit.SECONDS)
    private Duration savePeriod = Duration.ZERO;

    /**
     * How long past expiry a session of a context that no longer runs is kept before it is deleted, in whole seconds
     * (a bare number is seconds).
     */
    @DurationUnit(ChronoUnit.SECONDS)
    private Duration gracePeriod = Duration.ofHours(1);

    /** A property renamed when it became a duration: its old name still binds, and setting both is refused. */
    record Renamed(String oldName, String newName) {}

    /**
     * @param prefix the engine's prefix, {@code jetty.sessions.sqlite} or {@code jetty.sessions.postgresql}
     * @param engineRenamed the engine's own renamed property, beside the two every engine has
     */
    SessionTableProperties(String prefix, Renamed engineRenamed) {
        this.prefix = prefix;
        this.renamed = List.of(
                new Renamed("save-period-sec", "save-period"),
                new Renamed("grace-period-sec", "grace-period"),
                engineRenamed);
    }

    /** This engine's prefix. */
    String prefix() {
        return prefix;
    }

    /** This engine's renamed properties, each under {@link #prefix()}. */
    List<Renamed> renamed() {
        return renamed;
    }

    /**
     * Refuses a setting given under both its names: which of the two would win depends on the order the binder
     * happens to visit them in.
     */
    void requireOneNameEach(Environment environment) {
        for (Renamed renamed : renamed()) {
            String old = prefix() + "." + renamed.oldName();
            String current = prefix() + "." + renamed.newName();
            if (environment.containsProperty(old) && environment.containsProperty(current)) {
                throw new IllegalStateException("Set " + current + " or its old name " + old + ", not both");
            }
        }
    }

    /** Copies these settings onto the engine's settings and factory. */
    protected void applyTo(SessionTableSettings settings, SessionTableDataStoreFactory<?> factory) {
        settings.setTableName(table);
        settings.setSchemaMode(schemaMode.name());
        if (deserializationFilter != null) {
            settings.setDeserializationFilter(deserializationFilter);
        }
        settings.setAttributeKey(attributeKey);
        settings.setAttributeOldKeys(attributeOldKeys);
        settings.setAcceptUnsealedRows(acceptUnsealedRows);
        settings.setEncryptAttributes(encryptAttributes);
        settings.setSaveInPlaceChanges(saveInPlaceChanges);
        settings.setRefuseFailedSaves(refuseFailedSaves);
        settings.setProtectSessionIds(protectSessionIds);
        settings.setRecordPrincipal(recordPrincipal);
        settings.setPrincipalAttribute(principalAttribute);
        settings.setMaxSessionLifetimeSec(seconds(maxSessionLifetime, "max-session-lifetime"));
        factory.setSavePeriodSec(seconds(savePeriod, "save-period"));
        factory.setGracePeriodSec(seconds(gracePeriod, "grace-period"));
    }

    /** A duration as the whole milliseconds a store setting takes, or an error naming the property. */
    int millis(Duration value, String property) {
        try {
            return Math.toIntExact(value.toMillis());
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException(prefix() + "." + property + " is too long: " + value, e);
        }
    }

    /** A duration as the whole seconds Jetty takes, or an error naming the property. */
    int seconds(Duration value, String property) {
        if (value.getNano() != 0) {
            throw new IllegalArgumentException(
                    prefix() + "." + property + " must be whole seconds, not " + value.toMillis() + "ms");
        }
        try {
            return Math.toIntExact(value.getSeconds());
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException(prefix() + "." + property + " is too long: " + value, e);
        }
    }

    /** Whole seconds of a duration for the deprecated getters, which must not fail (Actuator calls them). */
    static int clampedSeconds(Duration value) {
        return (int) Math.max(Integer.MIN_VALUE, Math.min(Integer.MAX_VALUE, value.getSeconds()));
    }

    /** Whole milliseconds of a duration for the deprecated getters, which must not fail (Actuator calls them). */
    static int clampedMillis(Duration value) {
        return (int) Math.max(Integer.MIN_VALUE, Math.min(Integer.MAX_VALUE, value.toMillis()));
    }

    public String getTable() {
        return table;
    }

    public void setTable(String table) {
        this.table = table;
    }

    public SchemaMode getSchemaMode() {
        return schemaMode;
    }

    public void setSchemaMode(SchemaMode schemaMode) {
        this.schemaMode = schemaMode;
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

    public boolean isEncryptAttributes() {
        return encryptAttributes;
    }

    public void setEncryptAttributes(boolean encryptAttributes) {
        this.encryptAttributes = encryptAttributes;
    }

    public boolean isSaveInPlaceChanges() {
        return saveInPlaceChanges;
    }

    public void setSaveInPlaceChanges(boolean saveInPlaceChanges) {
        this.saveInPlaceChanges = saveInPlaceChanges;
    }

    public boolean isRefuseFailedSaves() {
        return refuseFailedSaves;
    }

    public void setRefuseFailedSaves(boolean refuseFailedSaves) {
        this.refuseFailedSaves = refuseFailedSaves;
    }

    public boolean isProtectSessionIds() {
        return protectSessionIds;
    }

    public void setProtectSessionIds(boolean protectSessionIds) {
        this.protectSessionIds = protectSessionIds;
    }

    public boolean isRecordPrincipal() {
        return recordPrincipal;
    }

    public void setRecordPrincipal(boolean recordPrincipal) {
        this.recordPrincipal = recordPrincipal;
    }

    public String getPrincipalAttribute() {
        return principalAttribute;
    }

    public void setPrincipalAttribute(String principalAttribute) {
        this.principalAttribute = principalAttribute;
    }

    public Duration getMaxSessionLifetime() {
        return maxSessionLifetime;
    }

    public void setMaxSessionLifetime(Duration maxSessionLifetime) {
        this.maxSessionLifetime = maxSessionLifetime;
    }

    public Duration getSavePeriod() {
        return savePeriod;
    }

    public void setSavePeriod(Duration savePeriod) {
        this.savePeriod = savePeriod;
    }

    public Duration getGracePeriod() {
        return gracePeriod;
    }

    public void setGracePeriod(Duration gracePeriod) {
        this.gracePeriod = gracePeriod;
    }

    /** The old name of {@code save-period}, a number of seconds. */
    @Deprecated
    public int getSavePeriodSec() {
        return clampedSeconds(savePeriod);
    }

    @Deprecated
    public void setSavePeriodSec(int savePeriodSec) {
        this.savePeriod = Duration.ofSeconds(savePeriodSec);
    }

    /** The old name of {@code grace-period}, a number of seconds. */
    @Deprecated
    public int getGracePeriodSec() {
        return clampedSeconds(gracePeriod);
    }

    @Deprecated
    public void setGracePeriodSec(int gracePeriodSec) {
        this.gracePeriod = Duration.ofSeconds(gracePeriodSec);
    }
}
