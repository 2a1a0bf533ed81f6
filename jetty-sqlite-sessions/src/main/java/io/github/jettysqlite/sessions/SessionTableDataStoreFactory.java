package io.github.jettysqlite.sessions;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.WeakHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.eclipse.jetty.session.AbstractSessionDataStoreFactory;
import org.eclipse.jetty.session.SessionDataStore;
import org.eclipse.jetty.session.SessionManager;

/**
 * Builds one store per context, all sharing one settings bean. A plain bean, so {@code jetty.xml} can create it
 * with {@code <New>}, hand it the settings as its argument, and {@code <Call name="validate"/>} to stop the server at
 * start-up on a wrong setting, before any context tries to open the database.
 *
 * @param <S> the engine's settings
 */
public abstract class SessionTableDataStoreFactory<S extends SessionTableSettings>
        extends AbstractSessionDataStoreFactory {
    private S settings;
    private final Set<SessionTableDataStore> built = Collections.newSetFromMap(new WeakHashMap<>());
    private final List<Consumer<SessionTableDataStore>> listeners = new CopyOnWriteArrayList<>();

    protected SessionTableDataStoreFactory(S settings) {
        this.settings = settings;
    }

    public S getSettings() {
        return settings;
    }

    public void setSettings(S settings) {
        this.settings = settings;
    }

    /**
     * Checks every setting now.
     *
     * @throws IllegalArgumentException naming the first setting that is wrong and why
     */
    public void validate() {
        settings.validate();
    }

    @Override
    public SessionDataStore getSessionDataStore(SessionManager manager) {
        SessionTableDataStore store = newStore(settings);
        store.setGracePeriodSec(getGracePeriodSec());
        store.setSavePeriodSec(getSavePeriodSec());
        synchronized (built) {
            built.add(store);
        }
        listeners.forEach(listener -> listener.accept(store));
        return store;
    }

    /**
     * Hands the listener every store this factory has built and every store it builds from now on (one per context,
     * when the context starts), for metrics and other observers. Stores of contexts that are gone are not kept.
     */
    public void addStoreListener(Consumer<SessionTableDataStore> listener) {
        listeners.add(listener);
        List<SessionTableDataStore> existing;
        synchronized (built) {
            existing = new ArrayList<>(built);
        }
        existing.forEach(listener);
    }

    /** A store of this engine with these settings. */
    protected abstract SessionTableDataStore newStore(S settings);
}
