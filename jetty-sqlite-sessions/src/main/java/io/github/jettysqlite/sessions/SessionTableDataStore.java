package io.github.jettysqlite.sessions;

import io.github.jettysqlite.sessions.admin.Progress;
import io.github.jettysqlite.sessions.admin.SessionDatabaseAdmin;
import io.github.jettysqlite.sessions.admin.SessionSummary;
import io.github.jettysqlite.sessions.internal.ChangeSignals;
import io.github.jettysqlite.sessions.internal.JulianDay;
import io.github.jettysqlite.sessions.internal.SessionDatabase;
import io.github.jettysqlite.sessions.internal.SessionScope;
import io.github.jettysqlite.sessions.internal.TableUse;
import io.github.jettysqlite.sessions.internal.attributes.AttributeSeal;
import io.github.jettysqlite.sessions.internal.attributes.PrincipalSource;
import io.github.jettysqlite.sessions.internal.attributes.SessionAttributes;
import io.github.jettysqlite.sessions.internal.attributes.TrackedSessionData;
import io.github.jettysqlite.sessions.internal.engine.SharedDatabases;
import io.github.jettysqlite.sessions.internal.engine.StoreAdmins;
import io.github.jettysqlite.sessions.internal.engine.StoreEngine;
import io.github.jettysqlite.sessions.internal.table.SessionLifetime;
import io.github.jettysqlite.sessions.internal.table.SessionStatements;
import io.github.jettysqlite.sessions.internal.table.SessionTable;
import io.github.jettysqlite.sessions.internal.table.StoredSession;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.eclipse.jetty.server.handler.ContextHandler;
import org.eclipse.jetty.session.ObjectStreamSessionDataStore;
import org.eclipse.jetty.session.SessionData;
import org.eclipse.jetty.session.UnreadableSessionDataException;
import org.eclipse.jetty.session.UnwriteableSessionDataException;
import org.eclipse.jetty.util.annotation.ManagedAttribute;
import org.eclipse.jetty.util.annotation.ManagedObject;
import org.eclipse.jetty.util.annotation.ManagedOperation;
import org.eclipse.jetty.util.annotation.Name;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Jetty's {@code SessionDataStore} contract, implemented once over the session table, for every engine: an engine's
 * store adds only its settings and how it opens its database. The base class keeps the lifecycle, the context class
 * loader, the save-period rule and the scavenging cadence; this class translates each call into statements on the
 * table, through the {@link SessionWriter} for stores.
 *
 * <p>A store serves one context; the stores of every context (and virtual host) naming one database share its
 * table and its connections.
 */
@ManagedObject("Keeps session data in a session table")
public abstract class SessionTableDataStore extends ObjectStreamSessionDataStore {
    private static final Logger LOG = LoggerFactory.getLogger(SessionTableDataStore.class);

    /** Expired rows deleted per write transaction, so a mass expiry never holds the write lock for long. */
    public static final int EXPIRED_DELETE_BATCH = SessionStatements.DELETE_BATCH;

    private final SessionStoreStatistics statistics = new SessionStoreStatistics();
    private SessionTable table;
    private SessionStatements statements;
    private SessionLifetime lifetime;
    private SessionAttributes attributes;
    private SessionScope scope;
    private SessionWriter writer;
    private CachedCopyCheck cachedCopyCheck;
    private PrincipalSource principals;
    private SharedDatabases.Lease<? extends SessionDatabase> lease;
    /** While this store runs and refuses failed saves: its refusals, and the context they listen to; else null. */
    private FailedSaveRefusals refusals;

    private ContextHandler refusingContext;
    private volatile SessionDatabaseAdmin admin;

    protected SessionTableDataStore() {}

    /** This store's settings; {@link #doStart()} checks them and fails naming the first one that is wrong. */
    protected abstract SessionTableSettings settings();

    @Override
    protected void doStart() throws Exception {
        if (_context == null) {
            throw new IllegalStateException("No SessionContext");
        }
        SessionTableSettings settings = settings();
        settings.validate();
        table = settings.table();
        lifetime = settings.lifetime();
        statements = new SessionStatements(table, lifetime, settings.sessionIds());
        attributes = settings.attributes();
        scope = new SessionScope(_context.getCanonicalContextPath(), _context.getVhost());
        principals = settings.principals();
        lease = StoreEngine.of(settings).open(settings, table, tableUse(settings.schema()));
        writer = new SessionWriter(
                table.name(),
                lease.database(),
                statements,
                scope,
                attributes,
                settings.isSaveInPlaceChanges(),
                principals,
                statistics);
        cachedCopyCheck = new CachedCopyCheck(lease.database(), statements, table.name(), scope, lifetime);
        admin = StoreAdmins.of(SessionDatabaseAdmin.class, lease.database(), table);
        statistics.outages(lease.database().outages());
        // A child bean only from now on, when its context is known: JMX names it after the context as it is added
        // (see jmx.SessionStoreStatisticsMBean), and Jetty adds the store itself before telling it its context.
        statistics.context(_context.getCanonicalContextPath());
        addBean(statistics);
        try {
            super.doStart();
            refuseFailedSaves(settings);
        } catch (Exception | Error e) {
            // Give the use back now, and forget it, so that a stop after this failed start cannot give it back twice.
            // Jetty does not stop a store whose start failed, so its statistics leave JMX here too.
            removeBean(statistics);
            admin = null;
            lease.close();
            lease = null;
            throw e;
        }
    }

    /**
     * How a store in this schema mode uses its table. The mapping lives here rather than on {@link TableUse} so that
     * the internal packages, which sit below the API, need not know {@link SchemaMode} (see PackageCyclesTest).
     */
    private static TableUse tableUse(SchemaMode mode) {
        return switch (mode) {
            case CREATE -> TableUse.SERVE;
            case VALIDATE -> TableUse.SERVE_VALIDATED;
            case NONE -> TableUse.SERVE_TRUSTED;
        };
    }

    /**
     * Registers the refusal of requests whose changes the database refuses with this store's context, when the
     * settings ask for it and the store serves a context (not a tool, nor a session handler outside any context).
     * The client is asked to wait as long as the store waits for the database, in whole seconds, at least one: a
     * retry sooner would most likely meet the same lock or outage, and hold another thread for the whole wait.
     */
    private void refuseFailedSaves(SessionTableSettings settings) {
        if (settings.isRefuseFailedSaves()
                && _context.getContext() instanceof ContextHandler.ScopedContext scoped
                && scoped.getContextHandler() != null) {
            refusingContext = scoped.getContextHandler();
            refusals = new FailedSaveRefusals(Math.max(1, (settings.databaseWaitMs() + 999) / 1000));
            refusingContext.addEventListener(refusals);
        }
    }

    @Override
    protected void doStop() throws Exception {
        if (refusingContext != null) {
            refusingContext.removeEventListener(refusals);
            refusingContext = null;
            refusals = null;
        }
        try {
            super.doStop();
        } finally {
            removeBean(statistics);
            admin = null;
            if (lease != null) {
                lease.close();
                lease = null;
            }
        }
    }

    /**
     * Loads the session of this context with the given id, whether or not it has expired (the session manager
     * decides what to do with an expired one).
     *
     * @return the session, or null when this context holds none with that id
     * @throws UnreadableSessionDataException when the stored attributes cannot be read: corrupt, refused by the
     *     deserialization filter, or (with sealing) not sealed by a key this store accepts
     */
    @Override
    public SessionData doLoad(String id) throws Exception {
        long start = System.nanoTime();
        boolean failed = true;
        try {
            StoredSession row = cachedCopyCheck.takePrefetched(id);
            if (row == null) {
                row = database().read(c -> statements.load(c, scope, id));
            }
            SessionData data = load(id, row);
            failed = false;
            return data;
        } finally {
            statistics.loads().recordSince(start, failed);
        }
    }

    private SessionData load(String id, StoredSession row) throws UnreadableSessionDataException {
        // A session older than the absolute lifetime is not handed out, whatever expiry its row carries (an old row
        // put back, a session kept alive past it): Jetty gives the request a new session, and the sweeps delete it.
        if (row == null || lifetime.isOver(row.created(), System.currentTimeMillis())) {
            return null;
        }
        SessionData data = newSessionData(id, row.created(), row.accessed(), row.lastAccessed(), row.maxInactiveMs());
        data.setCookieSet(row.cookieSet());
        data.setLastNode(row.lastNode());
        data.setLastSaved(row.lastSaved());
        data.setExpiry(row.expiry());
        lifetime.capExpiry(data);
        if (data instanceof TrackedSessionData tracked) {
            tracked.rowKey(row.rowKey());
        }
        try {
            attributes.readInto(data, row.attributes(), row.attributesVersion(), keyOf(id, row.created()));
        } catch (Exception e) {
            throw new UnreadableSessionDataException(id, _context, e);
        }
        return data;
    }

    /**
     * Writes the session through the {@link SessionWriter}: a new session is inserted, a saved one only updated
     * (never recreated once deleted elsewhere), and only this request's attribute changes are written onto the row
     * as it is now, so concurrent requests of one session keep each other's changes.
     */
    @Override
    public void doStore(String id, SessionData data, long lastSaveTime) throws Exception {
        long start = System.nanoTime();
        boolean failed = true;
        try {
            putBackRefusedChanges(data);
            writer.store(data, lastSaveTime);
            failed = false;
        } catch (IOException e) {
            throw new UnwriteableSessionDataException(id, _context, e);
        } catch (SessionDatabaseException e) {
            if (refusals != null && FailedSaveRefusals.refusing()) {
                dropUnsavedChanges(data);
                statistics.saveRefused();
            }
            throw e;
        } finally {
            statistics.stores().recordSince(start, failed);
        }
    }

    /**
     * The changes of a request answered 503 are not kept, so that its session stays as the row holds it: the
     * attributes and the timeout are read again from the row (which the refused save left as it was, or as another
     * writer left it since), and nothing is left to save. A session never stored has nothing to go back to (and its
     * cookie is not sent). Runs under the session's lock, where Jetty calls the store.
     *
     * <p>The store keeps no copy of the stored bytes to put back (it would double the heap of every cached session),
     * so it reads the row. SQLite answers reads while another connection holds the write lock or the disk is full;
     * when the database cannot be read either (PostgreSQL down), the changes stay pending in the data and are dropped
     * at the first moment the row reads again and before anyone uses or saves the session: as the next request takes
     * the session ({@link TrackedSessionData#setAccessed}), as a coherent cache checks it ({@link #checkCached}), or as
     * it is saved ({@link #doStore}). Until then every save of it fails, as the database does.
     */
    private void dropUnsavedChanges(SessionData data) {
        if (!(data instanceof TrackedSessionData tracked) || !tracked.hasBaseline()) {
            return;
        }
        tracked.refused(this::tryPutBack);
        tryPutBack(tracked);
    }

    /** Puts the row back in place of refused changes, or leaves them pending and says why. */
    private void tryPutBack(TrackedSessionData data) {
        try {
            putBack(data);
        } catch (Exception e) {
            LOG.warn(
                    "Cannot read session {} in {} to drop the changes the database refused; they are dropped when it"
                            + " reads again, and are not saved meanwhile: {}",
                    data.getId(),
                    this,
                    e.toString());
        }
    }

    /**
     * Before a save, drops changes refused earlier that are still pending; when that succeeds only now, the changes
     * this save was to write were made on top of them, by a request that was served the refused changes, and are
     * refused too.
     */
    private void putBackRefusedChanges(SessionData data) throws IOException, SessionDatabaseException {
        if (data instanceof TrackedSessionData tracked && tracked.refusedChanges() != null) {
            boolean ownChanges = hasUnsavedChanges(tracked, false);
            putBackOrFail(tracked);
            if (ownChanges) {
                throw new SessionDatabaseException(
                        "Session " + data.getId() + " of " + scope + " held changes the database refused before;"
                                + " they are dropped, and this save, made on top of them, is not written",
                        null);
            }
        }
    }

    /**
     * As {@link #putBack}, failing as the database does; a row that no longer reads (the filter refuses it now) leaves
     * the changes pending, and fails the save as an attribute that cannot be written does.
     */
    private void putBackOrFail(TrackedSessionData data) throws IOException, SessionDatabaseException {
        try {
            putBack(data);
        } catch (UnreadableSessionDataException e) {
            throw new IOException(
                    "Cannot read session " + data.getId() + " of " + scope + " to drop the changes the"
                            + " database refused",
                    e);
        }
    }

    /** Reads the row and puts it in place of the data's attributes and timeout; a row gone leaves none. */
    private void putBack(TrackedSessionData data) throws SessionDatabaseException, UnreadableSessionDataException {
        SessionData fresh = load(data.getId(), database().read(c -> statements.load(c, scope, data.getId())));
        if (fresh instanceof TrackedSessionData row && row.getCreated() == data.getCreated()) {
            data.restore(row);
        } else {
            data.restoreGone();
        }
    }

    /**
     * Compares a session a cache holds with its row, before a request uses it, by a probe that reads no attributes
     * (unless the database's change signals say that nothing changed it since it was last known current, see {@link
     * io.github.jettysqlite.sessions.internal.ChangeSignals}):
     * the metadata another node changed (a later access, a timeout set on purpose) is taken into {@code cached};
     * changed attributes, or a row gone, are reported for the cache to reload or drop the session. Used by {@link
     * CoherentSessionCache}.
     *
     * @throws SessionDatabaseException when the database cannot be read; the cached copy is left as it was
     */
    public CachedSessionCheck checkCached(SessionData cached) throws SessionDatabaseException {
        return checkCached(cached, false);
    }

    /**
     * As {@link #checkCached(SessionData)}, for a cache that reloads the session on this thread when its attributes
     * changed: the load takes the row this check read, once; {@link #checkedRowUnused} forgets it otherwise.
     */
    CachedSessionCheck checkBeforeUse(SessionData cached) throws SessionDatabaseException {
        return checkCached(cached, true);
    }

    private CachedSessionCheck checkCached(SessionData cached, boolean forReload) throws SessionDatabaseException {
        if (cachedCopyCheck.unchangedSinceTrusted(cached)) {
            statistics.cacheCheckSignalled();
            return CachedSessionCheck.CURRENT;
        }
        long start = System.nanoTime();
        boolean failed = true;
        try {
            if (cached instanceof TrackedSessionData tracked && tracked.refusedChanges() != null) {
                // Changes the database refused give way to the row before the copy is checked and served; a database
                // that cannot be read fails the check, so the copy is not served.
                try {
                    putBack(tracked);
                } catch (UnreadableSessionDataException e) {
                    LOG.warn(
                            "Cannot read session {} in {} to drop the changes the database refused",
                            cached.getId(),
                            this,
                            e);
                }
            }
            CachedSessionCheck outcome = cachedCopyCheck.check(cached, forReload);
            statistics.cacheChecked(outcome);
            failed = false;
            return outcome;
        } finally {
            statistics.cacheChecks().recordSince(start, failed);
        }
    }

    /** Forgets what a check of this thread read for a load that did not come (see {@link CachedCopyCheck}). */
    void checkedRowUnused() {
        cachedCopyCheck.forgetPrefetched();
    }

    /**
     * Brings a cached session that a request still holds up to date with its row, in place, after {@link
     * #checkCached} found its attributes changed: the row's attributes and metadata are taken into {@code cached}
     * unless it holds changes not yet saved.
     *
     * @return {@link CachedSessionCheck#ATTRIBUTES_CHANGED} when taken in, {@link CachedSessionCheck#GONE} when the
     *     row is gone, {@link CachedSessionCheck#CURRENT} when left as it was
     */
    public CachedSessionCheck refreshCached(SessionData cached) throws Exception {
        if (!(cached instanceof TrackedSessionData copy) || hasUnsavedChanges(cached, true)) {
            return CachedSessionCheck.CURRENT;
        }
        return CachedCopyCheck.refreshInPlace(copy, load(cached.getId()));
    }

    /**
     * True when the cached data holds changes its row does not: set and not yet saved (a store failed, or the
     * request holding it has not saved yet), or, with {@code inPlaceToo}, made in place to an attribute's object
     * (when {@code saveInPlaceChanges}, found by serializing every attribute and comparing; only for a session a
     * request still holds, since an object that serializes differently each time would otherwise look changed
     * forever and keep an idle copy from ever being reloaded).
     */
    public boolean hasUnsavedChanges(SessionData cached, boolean inPlaceToo) throws IOException {
        if (cached.isDirty()) {
            return true;
        }
        if (cached instanceof TrackedSessionData tracked && !tracked.namesSet().isEmpty()) {
            return true;
        }
        return inPlaceToo
                && settings().isSaveInPlaceChanges()
                && !attributes.changes(cached, true).isEmpty();
    }

    /** Session data that remembers what the store needs to know of the row it came from. */
    @Override
    public SessionData newSessionData(String id, long created, long accessed, long lastAccessed, long maxInactiveMs) {
        return new TrackedSessionData(
                id,
                _context.getCanonicalContextPath(),
                _context.getVhost(),
                created,
                accessed,
                lastAccessed,
                maxInactiveMs);
    }

    /** True when this context holds the session and it has not expired (an immortal session never does). */
    @Override
    public boolean doExists(String id) throws Exception {
        double now = JulianDay.fromEpochMillis(System.currentTimeMillis());
        return database().read(c -> statements.existsUnexpired(c, scope, id, now));
    }

    /** Removes the session from this context; true when there was one. */
    @Override
    public boolean delete(String id) throws Exception {
        SessionDatabase database = database();
        long start = System.nanoTime();
        boolean failed = true;
        try {
            ChangeSignals.Change change = database.signals().begin(table.name(), scope, id);
            boolean deleted;
            try {
                deleted = database.writeStatement(c -> statements.delete(c, scope, id)) > 0;
            } finally {
                database.signals().end(change);
            }
            failed = false;
            return deleted;
        } finally {
            statistics.deletes().recordSince(start, failed);
        }
    }

    /**
     * Reconciles the candidates the session cache believes expired: returns each candidate that has expired at
     * {@code time} (whichever node last used it) or that this context no longer holds, plus every session of this
     * context last used by this node that has expired. A candidate whose stored expiry is still in the future was
     * kept alive by another node and is not returned. Candidates the first query did not return are checked by one
     * more.
     */
    @Override
    public Set<String> doCheckExpired(Set<String> candidates, long time) {
        double at = JulianDay.fromEpochMillis(time);
        String node = _context.getWorkerName();
        try {
            return database().read(c -> {
                Set<String> expired = statements.expiredOwnedBy(c, scope, node, at);
                // Candidates this node last used and that expired are in the answer already (usually most of them):
                // only the others need a look each.
                Set<String> unanswered = new HashSet<>(candidates);
                unanswered.removeAll(expired);
                if (!unanswered.isEmpty()) {
                    expired.addAll(statements.absentOrExpired(c, scope, unanswered, at));
                }
                return expired;
            });
        } catch (Exception e) {
            LOG.warn("Cannot check expiry of {} candidate sessions in {}", candidates.size(), this, e);
            return new HashSet<>();
        }
    }

    /** Sessions of this context, last used by any node, whose expiry lies in (0, before]. */
    @Override
    public Set<String> doGetExpired(long before) {
        double limit = JulianDay.fromEpochMillis(before);
        try {
            return database().read(c -> statements.expiredInContext(c, scope, limit));
        } catch (Exception e) {
            LOG.warn("Cannot find sessions expired before {} in {}", before, this, e);
            return new HashSet<>();
        }
    }

    /**
     * Deletes the sessions of every context whose expiry lies in (0, time]: nobody manages them any more. Runs in
     * batches so that requests waiting to write get the lock in between.
     */
    @Override
    public void doCleanOrphans(long time) {
        double limit = JulianDay.fromEpochMillis(time);
        long removed = 0;
        try {
            int deleted;
            do {
                SessionDatabase database = database();
                deleted = database.changingAll(() ->
                        database.writeStatement(c -> statements.deleteExpiredBatch(c, limit, EXPIRED_DELETE_BATCH)));
                removed += deleted;
            } while (deleted == EXPIRED_DELETE_BATCH);
            if (removed > 0) {
                afterMassDelete();
            }
        } catch (Exception e) {
            LOG.warn("Cannot delete sessions expired before {} in {}", time, this, e);
        } finally {
            statistics.orphansRemoved(removed);
        }
    }

    /** After a sweep deleted rows: what the engine does to hand the space back, if anything. */
    protected void afterMassDelete() throws SessionDatabaseException {}

    /** Times each scavenging pass (Jetty's reconciliation of candidates, the expiry search and the orphan sweep). */
    @Override
    public Set<String> getExpired(Set<String> candidates) {
        long start = System.nanoTime();
        try {
            return super.getExpired(candidates);
        } finally {
            statistics.scavenged(System.nanoTime() - start);
        }
    }

    @Override
    @ManagedAttribute(value = "does this store serialize sessions", readonly = true)
    public boolean isPassivating() {
        return true;
    }

    /** The calls this store served, their failures and timings. */
    public SessionStoreStatistics getStatistics() {
        return statistics;
    }

    /** The context's path in Jetty's canonical form ({@code /shop} is {@code _shop}); null until initialized. */
    @ManagedAttribute(value = "the context whose sessions this store keeps (canonical path)", readonly = true)
    public String getContextPath() {
        return _context == null ? null : _context.getCanonicalContextPath();
    }

    /** The context's virtual host as Jetty keys sessions by it; null until initialized. */
    @ManagedAttribute(value = "the context's virtual host, as sessions are keyed by it", readonly = true)
    public String getVirtualHost() {
        return _context == null ? null : _context.getVhost();
    }

    @ManagedAttribute(value = "the table holding the sessions", readonly = true)
    public String getTableName() {
        return settings().getTableName();
    }

    @ManagedAttribute(
            value = "who keeps the table's schema: create (the store), validate or none (the database's administrator)",
            readonly = true)
    public String getSchemaMode() {
        return settings().getSchemaMode();
    }

    @ManagedAttribute(value = "the filter every attribute is deserialized through", readonly = true)
    public String getDeserializationFilter() {
        return settings().getDeserializationFilter();
    }

    @ManagedAttribute(value = "are attribute blobs sealed with a secret key", readonly = true)
    public boolean isSealing() {
        return settings().getAttributeKey() != null;
    }

    @ManagedAttribute(value = "are attributes changed in place (without setAttribute) saved", readonly = true)
    public boolean isSaveInPlaceChanges() {
        return settings().isSaveInPlaceChanges();
    }

    @ManagedOperation(value = "count the sessions in the table, all contexts (runs a query)", impact = "INFO")
    public long countSessions() throws SessionDatabaseException {
        return admin().countAll();
    }

    @ManagedOperation(value = "count this context's sessions (runs a query)", impact = "INFO")
    public long countSessionsInContext() throws SessionDatabaseException {
        return admin().countInContext(scope.contextPath(), scope.virtualHost());
    }

    @ManagedOperation(value = "count expired sessions of all contexts not yet removed (runs a query)", impact = "INFO")
    public long countExpiredSessions() throws SessionDatabaseException {
        return admin().countExpired();
    }

    @ManagedOperation(
            value =
                    "delete the sessions of every context that expired more than the grace period ago; returns how many",
            impact = "ACTION")
    public long purgeExpiredSessions() throws SessionDatabaseException {
        return admin().purgeExpired(Duration.ofSeconds(getGracePeriodSec()), Progress.NONE);
    }

    @ManagedOperation(
            value = "seal every row of the table under this store's attributeKey, in place, a page at a time (rows"
                    + " without a seal only while acceptUnsealedRows is on); returns what it did",
            impact = "ACTION")
    public String sealRows() throws SessionDatabaseException {
        if (settings().getAttributeKey() == null) {
            throw new IllegalStateException("this store has no attributeKey to seal with");
        }
        return admin().seal(
                        settings().getAttributeKey(),
                        settings().getAttributeOldKeys(),
                        settings().isEncryptAttributes(),
                        // Unsealed rows only while the operator has opened that window on purpose.
                        settings().isAcceptUnsealedRows(),
                        settings().isProtectSessionIds(),
                        Progress.NONE)
                .toString();
    }

    @ManagedOperation(
            value = "count the table's rows by how they are sealed (unsealed, sealed under which key id); runs a query",
            impact = "INFO")
    public java.util.Map<String, Long> countRowsBySeal() throws SessionDatabaseException {
        return admin().sealStates();
    }

    /**
     * This context's unexpired sessions logged in as {@code principal}, most recently used first, as their rows say
     * (a session's principal is written when it is stored).
     */
    public List<SessionSummary> sessionsOf(String principal) throws SessionDatabaseException {
        double now = JulianDay.fromEpochMillis(System.currentTimeMillis());
        return database().read(c -> statements.sessionsOfPrincipal(c, scope, principal, now)).stream()
                .map(s -> new SessionSummary(
                        s.id(),
                        scope.contextPath(),
                        scope.virtualHost(),
                        s.lastNode(),
                        s.created(),
                        s.accessed(),
                        s.expiry(),
                        s.attributeBytes(),
                        principal))
                .toList();
    }

    /**
     * Ends this context's sessions logged in as {@code principal} through Jetty's session manager, as an
     * {@code invalidate()} would: session listeners run here, the rows are deleted, and every other node's coherent
     * cache finds the sessions gone at its next request.
     *
     * @param keepId a session to leave alone (the caller's own, for "log out my other devices"), or null
     * @return how many sessions were ended
     */
    public int endSessionsOf(String principal, String keepId) throws Exception {
        int ended = 0;
        for (SessionSummary session : sessionsOf(principal)) {
            if (!session.id().equals(keepId)) {
                endSession(session.id());
                ended++;
            }
        }
        return ended;
    }

    /**
     * Ends this context's session with this id through Jetty's session manager, as an {@code invalidate()} would:
     * a session another node serves is loaded here to be ended, its listeners run here, its row is deleted, and that
     * node's coherent cache finds it gone at its next request. An id the table does not hold ends nothing.
     */
    public void endSession(String id) throws Exception {
        _context.getSessionManager().invalidate(id);
    }

    /** The users logged in to this context's unexpired sessions, each once, in name order, as the rows say. */
    public List<String> principals() throws SessionDatabaseException {
        return admin().principals(scope.contextPath(), scope.virtualHost());
    }

    /**
     * This context's session with this id as its row says (who is logged in to it, when it was last used), or null
     * when the table holds none or it has expired: one lookup by the primary key, cheap enough for every request.
     */
    public SessionSummary summaryOf(String id) throws SessionDatabaseException {
        // The row is under the id's key (with protected ids, its hash; or a former form): the summary names the id.
        for (String key : statements.keysOf(id)) {
            SessionSummary row = admin().session(scope.contextPath(), scope.virtualHost(), key);
            if (row != null) {
                return row.isExpiredAt(System.currentTimeMillis())
                        ? null
                        : new SessionSummary(
                                id,
                                row.contextPath(),
                                row.virtualHost(),
                                row.lastNode(),
                                row.created(),
                                row.accessed(),
                                row.expiry(),
                                row.attributeBytes(),
                                row.principal());
            }
        }
        return null;
    }

    /** Who this session's attributes say is logged in, read as the store writes it; null for nobody. */
    public String principalOf(SessionData data) {
        return principals.principalOf(data);
    }

    @ManagedOperation(
            value = "this context's sessions of a user: id, creation and last access (runs a query)",
            impact = "INFO")
    public List<String> listSessionsOfPrincipal(@Name(value = "principal", description = "user name") String principal)
            throws SessionDatabaseException {
        return sessionsOf(principal).stream()
                .map(s -> s.id() + " created " + Instant.ofEpochMilli(s.created()) + " last access "
                        + Instant.ofEpochMilli(s.accessed()))
                .toList();
    }

    @ManagedOperation(
            value = "end this context's sessions of a user, as invalidate() would (listeners run); returns how many",
            impact = "ACTION")
    public int endSessionsOfPrincipal(@Name(value = "principal", description = "user name") String principal)
            throws Exception {
        return endSessionsOf(principal, null);
    }

    /**
     * Administration of the database this store uses, sharing its connections; for JMX and tools. One per start, so
     * that its statements are built once; fails while the store is stopped.
     */
    public SessionDatabaseAdmin admin() {
        SessionDatabaseAdmin current = admin;
        if (current == null) {
            throw new IllegalStateException("Not started");
        }
        return current;
    }

    /** The open database; fails while the store is stopped. */
    SessionDatabase database() {
        SharedDatabases.Lease<? extends SessionDatabase> open = lease;
        if (open == null) {
            throw new IllegalStateException("Not started");
        }
        return open.database();
    }

    /** What a seal of a session's row in this context covers. */
    private AttributeSeal.SessionKey keyOf(String id, long created) {
        return new AttributeSeal.SessionKey(table.name(), scope.contextPath(), scope.virtualHost(), id, created);
    }

    @Override
    public String toString() {
        return String.format(
                "%s@%x[table=%s,context=%s]",
                getClass().getSimpleName(), hashCode(), settings().getTableName(), scope);
    }
}
