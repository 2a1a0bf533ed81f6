package io.github.jettysqlite.sessions;

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
        return store;
    }

    /** A store of this engine with these settings. */
    protected abstract SessionTableDataStore newStore(S settings);
}
