package io.github.jettysqlite.sessions.jmx;

import io.github.jettysqlite.sessions.SessionDatabaseException;
import io.github.jettysqlite.sessions.SessionTableDataStore;
import io.github.jettysqlite.sessions.admin.Progress;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.eclipse.jetty.jmx.ObjectMBean;
import org.eclipse.jetty.util.annotation.ManagedOperation;
import org.eclipse.jetty.util.annotation.Name;

/**
 * The operations only an operator's JMX console uses, kept off the store's Java API: each acts on the store through
 * its public methods. Jetty's {@code MBeanContainer} finds this class by its name when it registers a store of any
 * engine (a store's own class has no MBean class, so its parent's serves), and shows these operations beside the
 * store's own attributes and operations under the store's name; without jetty-jmx, nothing loads it.
 */
// Extends Jetty's ObjectMBean, from a module this one requires only statically: whoever loads this class has it.
@SuppressWarnings("exports")
public class SessionTableDataStoreMBean extends ObjectMBean {
    public SessionTableDataStoreMBean(Object managedObject) {
        super(managedObject);
    }

    private SessionTableDataStore store() {
        return (SessionTableDataStore) getManagedObject();
    }

    @ManagedOperation(value = "count the sessions in the table, all contexts (runs a query)", impact = "INFO")
    public long countSessions() throws SessionDatabaseException {
        return store().admin().countAll();
    }

    @ManagedOperation(value = "count this context's sessions (runs a query)", impact = "INFO")
    public long countSessionsInContext() throws SessionDatabaseException {
        SessionTableDataStore store = store();
        return store.admin().countInContext(store.getContextPath(), store.getVirtualHost());
    }

    @ManagedOperation(value = "count expired sessions of all contexts not yet removed (runs a query)", impact = "INFO")
    public long countExpiredSessions() throws SessionDatabaseException {
        return store().admin().countExpired();
    }

    @ManagedOperation(
            value =
                    "delete the sessions of every context that expired more than the grace period ago; returns how many",
            impact = "ACTION")
    public long purgeExpiredSessions() throws SessionDatabaseException {
        SessionTableDataStore store = store();
        return store.admin().purgeExpired(Duration.ofSeconds(store.getGracePeriodSec()), Progress.NONE);
    }

    @ManagedOperation(
            value = "count the table's rows by how they are sealed (unsealed, sealed under which key id); runs a query",
            impact = "INFO")
    public Map<String, Long> countRowsBySeal() throws SessionDatabaseException {
        return store().admin().sealStates();
    }

    @ManagedOperation(
            value = "this context's sessions of a user: id, creation and last access (runs a query)",
            impact = "INFO")
    public List<String> listSessionsOfPrincipal(@Name(value = "principal", description = "user name") String principal)
            throws SessionDatabaseException {
        return store().sessionsOf(principal).stream()
                .map(s -> s.id() + " created " + Instant.ofEpochMilli(s.created()) + " last access "
                        + Instant.ofEpochMilli(s.accessed()))
                .toList();
    }

    @ManagedOperation(
            value = "end this context's sessions of a user, as invalidate() would (listeners run); returns how many",
            impact = "ACTION")
    public int endSessionsOfPrincipal(@Name(value = "principal", description = "user name") String principal)
            throws Exception {
        return store().endSessionsOf(principal, null);
    }
}
