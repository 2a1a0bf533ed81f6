package io.github.jettysqlite.sessions;

import org.eclipse.jetty.session.AbstractSessionCacheFactory;
import org.eclipse.jetty.session.SessionCache;
import org.eclipse.jetty.session.SessionManager;

/**
 * Gives every context a {@link CoherentSessionCache}: add it to the server ({@code server.addBean(new
 * CoherentSessionCacheFactory())}) beside a store factory of this library, or name it in {@code jetty.xml}.
 *
 * <p>Changes are saved before the response is sent ({@code flushOnResponseCommit}, on by default here whatever the
 * Jetty version), so that the user's next request, on whichever node, finds them. That holds for attributes set with
 * {@code setAttribute}: a change made in place to an attribute's object (found when {@code saveInPlaceChanges} is
 * on) is saved as the session's last request ends, after its response, as with every Jetty cache, and a request on
 * another node that arrives before that save does not see it.
 */
public class CoherentSessionCacheFactory extends AbstractSessionCacheFactory {
    public CoherentSessionCacheFactory() {
        setFlushOnResponseCommit(true);
    }

    @Override
    public SessionCache newSessionCache(SessionManager manager) {
        return new CoherentSessionCache(manager);
    }
}
