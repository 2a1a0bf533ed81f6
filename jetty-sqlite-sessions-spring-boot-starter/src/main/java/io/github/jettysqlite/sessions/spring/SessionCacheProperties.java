package io.github.jettysqlite.sessions.spring;

import io.github.jettysqlite.sessions.CoherentSessionCacheFactory;
import java.util.function.Supplier;
import org.eclipse.jetty.session.AbstractSessionCacheFactory;
import org.eclipse.jetty.session.DefaultSessionCacheFactory;
import org.eclipse.jetty.session.NullSessionCacheFactory;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * {@code jetty.sessions.*}: whether the starter acts at all, the session cache in front of either store, and Jetty's
 * settings for it; and how either store records who each session is logged in as. The cache goes on the Jetty server
 * together with a store of this library, never without one.
 */
@ConfigurationProperties(SessionCacheProperties.PREFIX)
public class SessionCacheProperties {
    static final String PREFIX = "jetty.sessions";

    /**
     * Whether the starter acts at all: false leaves the application's sessions to Boot, as if the starter were not
     * there, whatever else jetty.sessions.* says.
     */
    private boolean enabled = true;

    /**
     * The session cache: coherent keeps sessions in memory and checks each against its row before a request uses it
     * (right for several nodes on one database); default is Jetty's DefaultSessionCache, which trusts its memory;
     * null keeps nothing in memory and reads every session from the table.
     */
    private Cache cache = Cache.COHERENT;

    /**
     * Seconds a session may stay unused in memory before it is evicted: -1 never, 0 at the end of every request.
     * The null cache keeps nothing in memory and ignores it.
     */
    private int evictionPolicy = -1;

    /** Whether a session evicted for being unused is saved first (needed only when a save period skipped writes). */
    private boolean saveOnInactiveEviction = false;

    /** Whether a new session is written at once, rather than at the end of the request that created it. */
    private boolean saveOnCreate = false;

    /** Whether a session whose row cannot be read (a class gone from the application, say) is deleted. */
    private boolean removeUnloadableSessions = false;

    /**
     * Whether a session's changes are saved before the response is sent, so that the user's next request finds them
     * on whichever node it reaches.
     */
    private boolean flushOnResponseCommit = true;

    /** Whether the sessions in memory are invalidated, and their rows deleted, when the application stops. */
    private boolean invalidateOnShutdown = false;

    /** The session caches this property chooses from, each with the Jetty factory that makes it. */
    public enum Cache {
        /** This library's CoherentSessionCache. */
        COHERENT(CoherentSessionCacheFactory::new),
        /** Jetty's DefaultSessionCache. */
        DEFAULT(DefaultSessionCacheFactory::new),
        /** Jetty's NullSessionCache. */
        NULL(NullSessionCacheFactory::new);

        private final Supplier<AbstractSessionCacheFactory> factory;

        Cache(Supplier<AbstractSessionCacheFactory> factory) {
            this.factory = factory;
        }
    }

    /** The factory these properties describe. */
    AbstractSessionCacheFactory toFactory() {
        AbstractSessionCacheFactory factory = cache.factory.get();
        factory.setEvictionPolicy(evictionPolicy);
        factory.setSaveOnInactiveEviction(saveOnInactiveEviction);
        factory.setSaveOnCreate(saveOnCreate);
        factory.setRemoveUnloadableSessions(removeUnloadableSessions);
        factory.setFlushOnResponseCommit(flushOnResponseCommit);
        factory.setInvalidateOnShutdown(invalidateOnShutdown);
        return factory;
    }

    public boolean isEnabled() {
        return enabled;
    }

    public void setEnabled(boolean enabled) {
        this.enabled = enabled;
    }

    public Cache getCache() {
        return cache;
    }

    public void setCache(Cache cache) {
        this.cache = cache;
    }

    public int getEvictionPolicy() {
        return evictionPolicy;
    }

    public void setEvictionPolicy(int evictionPolicy) {
        this.evictionPolicy = evictionPolicy;
    }

    public boolean isSaveOnInactiveEviction() {
        return saveOnInactiveEviction;
    }

    public void setSaveOnInactiveEviction(boolean saveOnInactiveEviction) {
        this.saveOnInactiveEviction = saveOnInactiveEviction;
    }

    public boolean isSaveOnCreate() {
        return saveOnCreate;
    }

    public void setSaveOnCreate(boolean saveOnCreate) {
        this.saveOnCreate = saveOnCreate;
    }

    public boolean isRemoveUnloadableSessions() {
        return removeUnloadableSessions;
    }

    public void setRemoveUnloadableSessions(boolean removeUnloadableSessions) {
        this.removeUnloadableSessions = removeUnloadableSessions;
    }

    public boolean isFlushOnResponseCommit() {
        return flushOnResponseCommit;
    }

    public void setFlushOnResponseCommit(boolean flushOnResponseCommit) {
        this.flushOnResponseCommit = flushOnResponseCommit;
    }

    public boolean isInvalidateOnShutdown() {
        return invalidateOnShutdown;
    }

    public void setInvalidateOnShutdown(boolean invalidateOnShutdown) {
        this.invalidateOnShutdown = invalidateOnShutdown;
    }
}
