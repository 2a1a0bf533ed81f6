package io.github.jettysqlite.sessions;

import io.github.jettysqlite.sessions.internal.attributes.SettingRequest;
import io.github.jettysqlite.sessions.internal.attributes.TrackedSessionData;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Set;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.http.MetaData;
import org.eclipse.jetty.server.Context;
import org.eclipse.jetty.server.HttpStream;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.handler.ContextHandler;
import org.eclipse.jetty.session.SessionContext;
import org.eclipse.jetty.util.Callback;

/**
 * Answers 503 with {@code Retry-After}, instead of the application's response, a request whose session changes the
 * database refused as the response was committed. Jetty's session manager saves a session there ({@code
 * flushOnResponseCommit}) and catches and logs the failure ({@code AbstractSessionManager.commit}), and the response
 * would then go out as the application made it, claiming a change that was not kept.
 *
 * <p>Where Jetty saves: its session handler wraps the request's {@link HttpStream} ({@code SessionStreamWrapper}, in
 * Jetty 12.0 and 12.1 alike), and the wrapper's {@code send} of the response's headers first saves the session and
 * then passes the headers on, on the same thread. This listener, registered on the context by the store, wraps each
 * request's stream as the request enters the context, before the session handler does: its {@link Guard} lies inside
 * Jetty's wrapper, so the headers reach it right after the save, still unsent, and it can send others. Between the
 * two, the store {@linkplain #refusing() learns} on its failure whether a guard will answer it.
 */
final class FailedSaveRefusals implements ContextHandler.ContextScopeListener {
    private static final String GUARD_ATTRIBUTE = FailedSaveRefusals.class.getName();
    private static final byte[] BODY =
            "This request's changes to your session could not be saved, and were not kept. Please try again shortly."
                    .getBytes(StandardCharsets.UTF_8);

    /** What the thread is doing for requests: the guards of the requests it is in the scope of, and a refusal due. */
    private static final ThreadLocal<Scopes> SCOPES = new ThreadLocal<>();

    static {
        // A session's data learns which requests set its attributes, so that a refusal fails them all.
        TrackedSessionData.requestsKnownBy(FailedSaveRefusals::currentRequest);
    }

    private final HttpField retryAfter;
    /** The context this listens to, until {@link #unregister}. */
    private final ContextHandler context;

    /** @param retryAfterSeconds what a refusal asks the client to wait before it tries again */
    private FailedSaveRefusals(ContextHandler context, int retryAfterSeconds) {
        this.context = context;
        this.retryAfter = new HttpField(HttpHeader.RETRY_AFTER, String.valueOf(retryAfterSeconds));
    }

    /**
     * Registers the refusal of requests whose changes the database refuses with a store's context, when its settings
     * ask for it and the store serves a context (not a tool, nor a session handler outside any context). The client
     * is asked to wait as long as the store waits for the database, in whole seconds, at least one: a retry sooner
     * would most likely meet the same lock or outage, and hold another thread for the whole wait.
     *
     * @return the refusals now listening, for the store to {@link #unregister} as it stops; null when none are
     */
    static FailedSaveRefusals register(SessionContext store, SessionTableSettings settings) {
        if (settings.isRefuseFailedSaves()
                && store.getContext() instanceof ContextHandler.ScopedContext scoped
                && scoped.getContextHandler() != null) {
            FailedSaveRefusals refusals = new FailedSaveRefusals(
                    scoped.getContextHandler(), Math.max(1, (settings.databaseWaitMs() + 999) / 1000));
            refusals.context.addEventListener(refusals);
            return refusals;
        }
        return null;
    }

    /** Stops listening to the context it was registered with. */
    void unregister() {
        context.removeEventListener(this);
    }

    /**
     * A request enters the context: in the context handler before any handler inside it runs (the first time, where
     * its stream is wrapped), and again whenever Jetty runs work of the request from outside the context, such as a
     * save of its session when an asynchronous response is committed.
     */
    @Override
    public void enterScope(Context context, Request request) {
        if (request == null) {
            return;
        }
        Scopes scopes = scopes();
        Guard guard = (Guard) request.getAttribute(GUARD_ATTRIBUTE);
        if (guard == null) {
            guard = guard(request);
            // A refusal left by a failure no response followed (a request that failed before it answered).
            scopes.refusalDue = false;
        }
        scopes.entered.push(guard);
    }

    @Override
    public void exitScope(Context context, Request request) {
        Scopes scopes = SCOPES.get();
        if (request != null && scopes != null) {
            scopes.entered.poll();
            if (scopes.entered.isEmpty()) {
                // A refusal no response took while the thread was in a request's scope belongs to that request: a
                // response this thread sends later, outside any scope, is another request's and must not take it.
                // Nothing is left for the thread to keep, and it must keep nothing: a value of this library's class
                // in a pooled thread would hold the webapp's class loader after the webapp is undeployed.
                SCOPES.remove();
            }
        }
    }

    private Guard guard(Request request) {
        Guard[] made = new Guard[1];
        try {
            request.addHttpStreamWrapper(stream -> made[0] = new Guard(stream, retryAfter, this));
        } catch (IllegalStateException e) {
            // The request is already over (Jetty ran late work of it): nothing left to answer.
            return Guard.ANSWERED;
        }
        request.setAttribute(GUARD_ATTRIBUTE, made[0]);
        return made[0];
    }

    /**
     * Called by the store when the database refused a save: true when a refusal will answer it, because the thread
     * is in the scope of a request whose response is not committed yet (the save Jetty makes as it commits it, or one
     * the request made before, creating a session or renewing its id). The refusal is due on this thread: the next
     * response this thread sends, which is the one being committed, becomes the 503. False for a save made after the
     * response went out (at the end of the request, an eviction, a scavenge): that is Jetty's to log, as it does.
     */
    static boolean refusing() {
        Scopes scopes = SCOPES.get();
        Guard current = scopes == null ? null : scopes.entered.peek();
        if (current == null || current.committed) {
            return false;
        }
        scopes.refusalDue = true;
        return true;
    }

    @Override
    public String toString() {
        return getClass().getSimpleName() + "[" + retryAfter + "]";
    }

    /** The request this thread serves, while its response is not committed yet; else null. */
    static SettingRequest currentRequest() {
        Scopes scopes = SCOPES.get();
        Guard current = scopes == null ? null : scopes.entered.peek();
        return current == null || current.committed ? null : current.mark;
    }

    /**
     * Refuses, as their responses are committed, the requests that set something in a session whose changes were just
     * dropped (see {@link TrackedSessionData#takeSetters}): their changes went too. A request sharing the session that
     * set nothing is answered as usual.
     */
    static void refuseAlso(Set<SettingRequest> setters) {
        setters.forEach(SettingRequest::refuse);
    }

    /**
     * Refuses the request this thread serves, if this context's listener guards it and its response is not committed
     * yet: that response becomes a 503, on whichever thread commits it. A request of another context (Jetty renews a
     * session id in every context on one request) is left alone.
     *
     * @return whether a request was refused
     */
    boolean refuseCurrentRequest() {
        Scopes scopes = SCOPES.get();
        Guard current = scopes == null ? null : scopes.entered.peek();
        if (current == null || current.committed || current.owner != this) {
            return false;
        }
        current.mark.refuse();
        return true;
    }

    /** Takes the refusal due on this thread, if any. */
    private static boolean takeRefusal() {
        Scopes scopes = SCOPES.get();
        if (scopes == null || !scopes.refusalDue) {
            return false;
        }
        scopes.refusalDue = false;
        return true;
    }

    private static Scopes scopes() {
        Scopes scopes = SCOPES.get();
        if (scopes == null) {
            scopes = new Scopes();
            SCOPES.set(scopes);
        }
        return scopes;
    }

    private static final class Scopes {
        final ArrayDeque<Guard> entered = new ArrayDeque<>();
        boolean refusalDue;
    }

    /**
     * One request's stream, inside Jetty's session wrapper. The first final response it sends after a refused save
     * becomes a 503 with {@code Retry-After} and a short text, without the application's headers (so without the
     * {@code Set-Cookie} of a session that was not stored: the user keeps the cookie they had) and without its body,
     * of which nothing more is sent. Interim responses (100 Continue; 101 starts another protocol) pass, and a
     * refusal due then waits for the final one.
     */
    static final class Guard extends HttpStream.Wrapper {
        /** For a request that was over before a guard could wrap it. */
        static final Guard ANSWERED = new Guard(null, null, null);

        private final HttpField retryAfter;
        private volatile boolean committed;
        private boolean refusalDue;
        /**
         * This request as a session's data remembers it when it sets an attribute: a small object of its own, so
         * that a session holding it keeps nothing of the request alive.
         */
        private final Mark mark = new Mark();

        private boolean refused;

        /** The refusals of the context whose listener made this guard. */
        private final FailedSaveRefusals owner;

        Guard(HttpStream wrapped, HttpField retryAfter, FailedSaveRefusals owner) {
            super(wrapped);
            this.owner = owner;
            this.retryAfter = retryAfter;
            this.committed = wrapped == null;
        }

        @Override
        public void send(
                MetaData.Request request,
                MetaData.Response response,
                boolean last,
                ByteBuffer content,
                Callback callback) {
            if (refused) {
                callback.succeeded();
                return;
            }
            if (response != null) {
                refusalDue |= takeRefusal() | mark.refused;
                if (!HttpStatus.isInformational(response.getStatus())) {
                    committed = true;
                    mark.answered = true;
                    if (refusalDue) {
                        refused = true;
                        super.send(request, refusal(response), true, ByteBuffer.wrap(BODY), callback);
                        return;
                    }
                }
            }
            super.send(request, response, last, content, callback);
        }

        private MetaData.Response refusal(MetaData.Response original) {
            HttpFields headers = HttpFields.build()
                    .add(retryAfter)
                    .add(HttpHeader.CACHE_CONTROL, "no-store")
                    .add(HttpHeader.CONTENT_TYPE, "text/plain;charset=utf-8")
                    .asImmutable();
            return new MetaData.Response(
                    HttpStatus.SERVICE_UNAVAILABLE_503, null, original.getHttpVersion(), headers, BODY.length);
        }

        @Override
        public void succeeded() {
            takeRefusal();
            mark.answered = true;
            super.succeeded();
        }

        @Override
        public void failed(Throwable x) {
            takeRefusal();
            mark.answered = true;
            super.failed(x);
        }
    }

    /** A request as sessions' data remember it (see {@link Guard#mark}). */
    private static final class Mark implements SettingRequest {
        private volatile boolean answered;
        private volatile boolean refused;

        @Override
        public boolean answered() {
            return answered;
        }

        @Override
        public void refuse() {
            refused = true;
        }

        @Override
        public boolean refused() {
            return refused;
        }
    }
}
