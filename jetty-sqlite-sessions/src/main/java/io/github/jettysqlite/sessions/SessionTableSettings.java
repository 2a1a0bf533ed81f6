package io.github.jettysqlite.sessions;

import io.github.jettysqlite.sessions.internal.attributes.AttributeCodec;
import io.github.jettysqlite.sessions.internal.attributes.AttributeSeal;
import io.github.jettysqlite.sessions.internal.attributes.AttributeSerializer;
import io.github.jettysqlite.sessions.internal.attributes.DeserializationFilter;
import io.github.jettysqlite.sessions.internal.attributes.PrincipalSource;
import io.github.jettysqlite.sessions.internal.attributes.SessionAttributes;
import io.github.jettysqlite.sessions.internal.attributes.SessionIds;
import io.github.jettysqlite.sessions.internal.engine.StoreEngine;
import io.github.jettysqlite.sessions.internal.table.SessionLifetime;
import io.github.jettysqlite.sessions.internal.table.SessionTable;
import java.io.ObjectInputFilter;
import java.util.Arrays;
import java.util.Locale;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/**
 * The settings every engine's store shares: the table, and how attributes are read and written. A plain bean, so
 * {@code jetty.xml} can build it with {@code <New>} and {@code <Set>}; one per engine extends it with where the
 * database is. The factory and every store it builds share one instance, and {@link #validate()} is the one place
 * that checks it, so that a wrong setting stops start-up in one sentence that names the setting.
 */
public abstract class SessionTableSettings {
    public static final String DEFAULT_TABLE_NAME = SessionTable.DEFAULT_NAME;
    /** The default attribute deserialization filter; see {@link #setDeserializationFilter(String)}. */
    public static final String DEFAULT_DESERIALIZATION_FILTER = DeserializationFilter.DEFAULT_PATTERN;

    /** The default schema mode: the store creates and upgrades its table. */
    public static final String DEFAULT_SCHEMA_MODE = "create";

    private String tableName = DEFAULT_TABLE_NAME;
    private String schemaMode = DEFAULT_SCHEMA_MODE;
    private String deserializationFilter = DEFAULT_DESERIALIZATION_FILTER;
    private String attributeKey;
    private String attributeOldKeys;
    private boolean acceptUnsealedRows;
    private boolean saveInPlaceChanges = true;
    private long maxSessionLifetimeSec;
    /** A century: far past any session, and far from overflowing when added to a time in milliseconds. */
    private static final long MAX_LIFETIME_SEC = 100L * 365 * 24 * 3600;

    private boolean encryptAttributes;
    private boolean recordPrincipal = true;
    private boolean protectSessionIds = true;
    private String principalAttribute;
    private boolean refuseFailedSaves = true;

    /** The engine as messages name it: "SQLite", "PostgreSQL". */
    protected abstract String engine();

    /**
     * How long a unit of work waits for the database before it fails (SQLite's busy timeout, PostgreSQL's connection
     * timeout): a refused save asks the client to wait as long before it tries again.
     */
    protected abstract int databaseWaitMs();

    /**
     * Checks every setting.
     *
     * @throws IllegalArgumentException naming the first setting that is wrong and why
     */
    public void validate() {
        table();
        schema();
        attributes();
        checked("maxSessionLifetimeSec", () -> {
            requireAtLeast(0, maxSessionLifetimeSec, "maxSessionLifetimeSec");
            if (maxSessionLifetimeSec > MAX_LIFETIME_SEC) {
                throw new IllegalArgumentException("maxSessionLifetimeSec must be at most " + MAX_LIFETIME_SEC
                        + " (a century), not " + maxSessionLifetimeSec);
            }
            return maxSessionLifetimeSec;
        });
    }

    /** The table these settings name, on this engine. */
    SessionTable table() {
        return checked(
                "tableName",
                () -> new SessionTable(tableName, StoreEngine.of(this).dialect()));
    }

    /** Who keeps the table's schema under these settings. */
    SchemaMode schema() {
        return checked("schemaMode", () -> oneOf(SchemaMode.class, "schemaMode", schemaMode));
    }

    /** The absolute lifetime of sessions under these settings. */
    SessionLifetime lifetime() {
        return new SessionLifetime(maxSessionLifetimeSec * 1000);
    }

    /** How attributes are serialized, sealed and read back under these settings. */
    SessionAttributes attributes() {
        ObjectInputFilter filter =
                checked("deserializationFilter", () -> DeserializationFilter.create(deserializationFilter));
        checked("attributeKey", () -> AttributeSeal.of(attributeKey, null));
        AttributeSeal seal = checked("attributeOldKeys", () -> AttributeSeal.of(attributeKey, attributeOldKeys));
        AttributeCodec codec =
                checked("encryptAttributes", () -> new AttributeCodec(seal, acceptUnsealedRows, encryptAttributes));
        return new SessionAttributes(
                codec,
                new AttributeSerializer(filter, DeserializationFilter.allowsCommonValues(deserializationFilter)));
    }

    /** How the stores keep session ids in the table: protected (a keyed hash) when there is a key, unless told not to. */
    SessionIds sessionIds() {
        return SessionIds.of(AttributeSeal.of(attributeKey, attributeOldKeys), protectSessionIds);
    }

    /** Where the stores read who a session is logged in as. */
    PrincipalSource principals() {
        return recordPrincipal ? PrincipalSource.of(principalAttribute) : PrincipalSource.NONE;
    }

    /** Runs one check and names the setting at fault, so a bad configuration stops start-up in one sentence. */
    protected <T> T checked(String setting, Supplier<T> validation) {
        try {
            return validation.get();
        } catch (IllegalArgumentException | NullPointerException e) {
            throw new IllegalArgumentException(
                    "Invalid " + engine() + " session store setting " + setting + ": " + e.getMessage(), e);
        }
    }

    /** For settings that name a constant: the constant, whatever the case, or an error listing the accepted ones. */
    protected static <E extends Enum<E>> E oneOf(Class<E> type, String setting, String value) {
        if (value != null) {
            try {
                return Enum.valueOf(type, value.trim().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException notAConstant) {
                // fall through to the error that names the accepted values
            }
        }
        throw new IllegalArgumentException(setting + " must be one of "
                + Arrays.stream(type.getEnumConstants()).map(Enum::name).collect(Collectors.joining(", "))
                + ", not '" + value + "'");
    }

    /** For checks of numbers: the value when it is at least {@code least}. */
    protected static long requireAtLeast(long least, long value, String setting) {
        if (value < least) {
            throw new IllegalArgumentException(setting + " must be at least " + least + ", not " + value);
        }
        return value;
    }

    /** For checks of numbers: the value when it is at least {@code least}. */
    protected static int requireAtLeast(int least, int value, String setting) {
        if (value < least) {
            throw new IllegalArgumentException(setting + " must be at least " + least + ", not " + value);
        }
        return value;
    }

    /** For checks of numbers: the value when it is at most {@code most}. */
    protected static int requireAtMost(int most, int value, String setting) {
        if (value > most) {
            throw new IllegalArgumentException(setting + " must be at most " + most + ", not " + value);
        }
        return value;
    }

    public String getTableName() {
        return tableName;
    }

    /** The table holding the sessions, matching {@code [A-Za-z_][A-Za-z0-9_]{0,62}}. Default {@code jetty_sessions}. */
    public void setTableName(String tableName) {
        this.tableName = tableName;
    }

    public String getSchemaMode() {
        return schemaMode;
    }

    /**
     * Who keeps the table's schema (see {@link SchemaMode}), ignoring case: {@code create} (the default) creates the
     * table and upgrades an older layout as the store starts; {@code validate} changes nothing and refuses to start on
     * a missing or older table, naming the statements to run; {@code none} trusts the table without a look.
     */
    public void setSchemaMode(String schemaMode) {
        this.schemaMode = schemaMode;
    }

    public String getDeserializationFilter() {
        return deserializationFilter;
    }

    /**
     * The {@link java.io.ObjectInputFilter} pattern (the JDK's {@code jdk.serialFilter} syntax) that every attribute
     * is deserialized through; a rejected class or exceeded limit makes the session unreadable instead of letting
     * the object be built. Defaults to {@link #DEFAULT_DESERIALIZATION_FILTER}: graph limits plus a deny-list of
     * known gadget classes. A JVM-wide filter, when set, applies as well. The strongest setting is an allow-list of
     * your own packages plus the JDK's.
     */
    public void setDeserializationFilter(String deserializationFilter) {
        this.deserializationFilter = deserializationFilter;
    }

    /** Where the sealing key is, never the key itself; null when rows are not sealed. */
    public String getAttributeKey() {
        return attributeKey;
    }

    /**
     * Seals every attribute blob written with an HMAC-SHA256 under this secret key, over the blob and the row's key
     * columns, and refuses to deserialize a blob whose seal does not verify: a row forged or copied by anyone who can
     * write to the database then never reaches {@code readObject}. The key is named, never given: {@code env:NAME}
     * (an environment variable) or {@code file:PATH} (a file), holding at least 32 bytes of text (for example the
     * output of {@code openssl rand -base64 32}). It is never logged or shown. Null (the default) seals nothing.
     */
    public void setAttributeKey(String attributeKey) {
        this.attributeKey = attributeKey == null || attributeKey.isBlank() ? null : attributeKey.trim();
    }

    public String getAttributeOldKeys() {
        return attributeOldKeys;
    }

    /**
     * Keys that still verify seals but no longer seal, comma-separated, each {@code env:NAME} or {@code file:PATH}:
     * to rotate, make the old key an old key and set a new {@link #setAttributeKey attributeKey}; rows move to the new
     * key as they are written. With only old keys, nothing new is sealed.
     */
    public void setAttributeOldKeys(String attributeOldKeys) {
        this.attributeOldKeys = attributeOldKeys == null || attributeOldKeys.isBlank() ? null : attributeOldKeys;
    }

    public boolean isAcceptUnsealedRows() {
        return acceptUnsealedRows;
    }

    /**
     * With a key configured, whether rows written without a seal (before sealing was switched on) are still read;
     * they are sealed on their next write. False by default: an unsealed row is what anyone who can write to the
     * database would plant, so accepting them is a migration window an operator opens on purpose while switching
     * sealing on, and closes once the {@code seal} command (or JMX {@code sealRows}) has sealed every row. Each
     * unsealed row read while the window is open is logged once.
     */
    public void setAcceptUnsealedRows(boolean acceptUnsealedRows) {
        this.acceptUnsealedRows = acceptUnsealedRows;
    }

    public boolean isEncryptAttributes() {
        return encryptAttributes;
    }

    /**
     * Whether each attribute is also encrypted at rest (AES-256-GCM under a key derived from {@link
     * #setAttributeKey}, which it needs), so that the file, its backups and a migration target hold no attribute in
     * the clear. Rows written before are read as they are and encrypted on their next write, or by the {@code seal}
     * command. Off by default.
     */
    public void setEncryptAttributes(boolean encryptAttributes) {
        this.encryptAttributes = encryptAttributes;
    }

    public long getMaxSessionLifetimeSec() {
        return maxSessionLifetimeSec;
    }

    /**
     * The absolute lifetime of a session, in seconds from its creation, whatever its activity (OWASP's absolute
     * timeout); 0, the default, sets none. Every write caps the row's expiry at the creation time plus this, so the
     * scavengers end such a session, and a load refuses (as expired) a row older than this, such as an old row put
     * back by someone with database access: with sealing, the creation time is covered by the seal and cannot be
     * moved.
     */
    public void setMaxSessionLifetimeSec(long maxSessionLifetimeSec) {
        this.maxSessionLifetimeSec = maxSessionLifetimeSec;
    }

    public boolean isSaveInPlaceChanges() {
        return saveInPlaceChanges;
    }

    /**
     * Whether an attribute changed in place, without {@code setAttribute} being called again (an item added to a
     * stored list, a field of a stored bean), is saved. True by default, as Jetty's own stores save it: every
     * attribute is serialized on each store and compared with what the row holds, and only those that differ are
     * written. An application that always calls {@code setAttribute} after a change can set this false: only the
     * attributes set are then serialized, which saves that work on every request, and an in-place change is lost.
     */
    public void setSaveInPlaceChanges(boolean saveInPlaceChanges) {
        this.saveInPlaceChanges = saveInPlaceChanges;
    }

    public boolean isRecordPrincipal() {
        return recordPrincipal;
    }

    /**
     * Whether each row records who the session is logged in as, so that a user's sessions can be listed and ended
     * (the admin API, JMX, the command line's {@code --principal}, Spring Security's session registry). True by
     * default. The name is read, at each store, from the attribute {@value PrincipalSource#EXPLICIT_ATTRIBUTE} an
     * application sets on purpose, then from {@link #setPrincipalAttribute principalAttribute}, then from where
     * Jetty's authenticators and Spring Security keep a login. False leaves the column empty.
     */
    public void setRecordPrincipal(boolean recordPrincipal) {
        this.recordPrincipal = recordPrincipal;
    }

    public String getPrincipalAttribute() {
        return principalAttribute;
    }

    /**
     * The session attribute an application keeps its logged-in user in, when it uses neither Jetty's authentication
     * nor Spring Security: its value is the user name, a {@link java.security.Principal}, or an object with a public
     * {@code getUserPrincipal()} or {@code getAuthentication()}. Null (the default) looks only at the explicit
     * attribute and at Jetty's and Spring Security's.
     */
    public void setPrincipalAttribute(String principalAttribute) {
        this.principalAttribute =
                principalAttribute == null || principalAttribute.isBlank() ? null : principalAttribute.trim();
    }

    public boolean isProtectSessionIds() {
        return protectSessionIds;
    }

    /**
     * With an {@link #setAttributeKey attributeKey}, whether the table keeps a keyed hash of each session id (HMAC
     * under a key derived from it) instead of the id, with the id itself only encrypted beside it: whoever reads the
     * file, a backup or a migration target then holds no id a browser could present as a cookie. True by default, so
     * a key protects ids without a second setting. Rows written before (a plain id, an old key's hash) are still found
     * and used where they are, and the {@code seal} command moves them all under the current key's hash. The admin tools show and take the hashes. Without a key
     * there is nothing to hash with and ids are kept as they are.
     */
    public void setProtectSessionIds(boolean protectSessionIds) {
        this.protectSessionIds = protectSessionIds;
    }

    public boolean isRefuseFailedSaves() {
        return refuseFailedSaves;
    }

    /**
     * Whether a request whose session changes the database refused (unreachable past the wait, locked past the busy
     * timeout, a full disk, an I/O error) is answered 503 Service Unavailable with {@code Retry-After} instead of its
     * own response, and its changes are dropped, so that the session stays as it was and no answer claims a change
     * that was not kept. True by default. It needs a session cache that saves before the response is sent ({@code
     * flushOnResponseCommit}, on in this library's cache factory, modules and starter): a save Jetty makes after the
     * response, as its caches do by default, fails after the answer went out, and is only logged.
     */
    public void setRefuseFailedSaves(boolean refuseFailedSaves) {
        this.refuseFailedSaves = refuseFailedSaves;
    }
}
