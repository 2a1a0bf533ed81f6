package io.github.jettysqlite.sessions;

import io.github.jettysqlite.sessions.internal.attributes.SettingRequest;
import io.github.jettysqlite.sessions.internal.attributes.TrackedSessionData;
import java.lang.ref.WeakReference;
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
import org.eclipse.jetty.session.SessionCache;
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
    /**
     * Where a request keeps its guard: a name of this copy of the class, since two webapps that each bundle the
     * library may see one request in a cross-context dispatch, and each must find its own guard.
     */
    private static final String GUARD_ATTRIBUTE = FailedSaveRefusals.class.getName() + "."
            + Integer.toHexString(System.identityHashCode(FailedSaveRefusals.class));

    private static final byte[] BODY =
            "This request's changes to your session could not be saved, and were not kept. Please try again shortly."
                    .getBytes(StandardCharsets.UTF_8);

    /**
     * The request scopes this thread is in, innermost first: for each, the request's guard and the listener that saw
     * it entered (in a cross-context dispatch, another context's listener takes the request's guard), as {@link
     * #GUARD} and {@link #LISTENER} of a pair of weak references; no value while it is in none. A pooled thread must
     * keep nothing of this library strongly: the class of a value it kept would hold the webapp's class loader (every
     * class it loaded, and their statics) after an undeploy. The request holds its guard while it runs, so a weak
     * reference is enough here; and a scope never left as far as a listener knows (Jetty drops the listeners it did
     * not start with as a context stops, while a request may still be running in it) leaves only references that
     * clear once the request is gone.
     */
    private static final ThreadLocal<ArrayDeque<WeakReference<?>[]>> SCOPES = new ThreadLocal<>();

    private static final int GUARD = 0;
    private static final int LISTENER = 1;

    /**
     * A refusal due on this thread: set when a save fails for a request whose response is not committed yet, with the
     * guard of the innermost scope then. Jetty saves a session as it commits the response, on the thread that sends
     * it, right before the response reaches the guard of the request it belongs to: that guard takes the refusal,
     * which may be another request's than the innermost scope's (an application thread serving one request can
     * complete another's asynchronous response). A refusal no response took when the scope it was made in ends goes
     * to that scope's request, whichever thread sends its response later (Jetty saves an asynchronous response's
     * session in the context's scope and sends it after leaving). Weak, as {@link #SCOPES}.
     */
    private static final ThreadLocal<WeakReference<Guard>> DUE = new ThreadLocal<>();

    /** What {@link #DUE} names for a commit made in a scope entered without a request, which has no guard. */
    private static final Guard UNSCOPED = new Guard(null, null);

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
        Guard guard;
        try {
            guard = (Guard) request.getAttribute(GUARD_ATTRIBUTE);
            if (guard == null) {
                guard = guard(request);
            }
        } catch (IllegalStateException over) {
            // The request is already over (Jetty runs late work of it): nothing left to answer.
            guard = new Guard(null, null);
        }
        ArrayDeque<WeakReference<?>[]> entered = SCOPES.get();
        if (entered == null) {
            entered = new ArrayDeque<>(4);
            SCOPES.set(entered);
            // Left by a scope whose end no listener saw (Jetty dropped the listener as its context stopped).
            DUE.remove();
        } else {
            // Scopes never left as far as a listener knows, of requests gone since.
            entered.removeIf(FailedSaveRefusals::gone);
        }
        entered.push(new WeakReference<?>[] {new WeakReference<>(guard), new WeakReference<>(this)});
    }

    @Override
    public void exitScope(Context context, Request request) {
        ArrayDeque<WeakReference<?>[]> entered = SCOPES.get();
        if (request == null || entered == null) {
            return;
        }
        while (!entered.isEmpty() && gone(entered.peek())) {
            entered.pop();
        }
        // Only a scope this listener saw entered is left: another one on top belongs to another context's scope,
        // entered later and still open (this listener was registered while the thread was in this scope already).
        if (!entered.isEmpty() && entered.peek()[LISTENER].get() == this) {
            Guard left = (Guard) entered.pop()[GUARD].get();
            WeakReference<Guard> due = DUE.get();
            if (due != null && (due.get() == left || entered.isEmpty())) {
                // No response took it while the scope lasted: the scope's request is refused, wherever it answers.
                DUE.remove();
                Guard refused = due.get();
                if (refused != null && refused != UNSCOPED) {
                    refused.mark.refuse();
                }
            }
        }
        if (entered.isEmpty()) {
            SCOPES.remove();
        }
    }

    /** Whether a scope's request or listener is gone, so that nothing will leave it any more. */
    private static boolean gone(WeakReference<?>[] scope) {
        return scope[GUARD].get() == null || scope[LISTENER].get() == null;
    }

    private Guard guard(Request request) {
        Guard[] made = new Guard[1];
        try {
            request.addHttpStreamWrapper(stream -> made[0] = new Guard(stream, retryAfter));
        } catch (IllegalStateException e) {
            // The request is already over (Jetty ran late work of it): nothing left to answer.
            return new Guard(null, null);
        }
        request.setAttribute(GUARD_ATTRIBUTE, made[0]);
        return made[0];
    }

    /** The guard of the innermost request scope this thread is in, or null. */
    private static Guard current() {
        ArrayDeque<WeakReference<?>[]> entered = SCOPES.get();
        WeakReference<?>[] innermost = entered == null ? null : entered.peek();
        return innermost == null ? null : (Guard) innermost[GUARD].get();
    }

    /** The guard of the innermost request scope this thread is in, when this listener saw it entered; else null. */
    private Guard currentOfMine() {
        ArrayDeque<WeakReference<?>[]> entered = SCOPES.get();
        WeakReference<?>[] innermost = entered == null ? null : entered.peek();
        return innermost == null || innermost[LISTENER].get() != this ? null : (Guard) innermost[GUARD].get();
    }

    @Override
    public String toString() {
        return getClass().getSimpleName() + "[" + retryAfter + "]";
    }

    /** The request this thread serves, while its response is not committed yet; else null. */
    static SettingRequest currentRequest() {
        Guard current = current();
        return current == null || current.committed ? null : current.mark;
    }

    /**
     * Refuses, as their responses are committed, the requests that set something in a session whose changes were just
     * dropped (see {@link TrackedSessionData#takeSetters}): their changes went too. A request sharing the session that
     * set nothing is answered as usual.
     *
     * @return how many of them had not answered yet, which the refusal reaches
     */
    static int refuseAlso(Set<SettingRequest> setters) {
        int reached = 0;
        for (SettingRequest setter : setters) {
            if (!setter.answered()) {
                reached++;
            }
            setter.refuse();
        }
        return reached;
    }

    /**
     * Called by the store when the database refused a save: true when a refusal will answer it. In a scope of this
     * context (seen entered by this listener), a save Jetty makes as it commits a response makes the refusal due on
     * this thread (see {@link #DUE}): the next response this thread sends, which is the one being committed, becomes
     * a 503 (if the scope ends first, its request's response does); a save the request makes itself before it answers
     * (a new session, a renewed id) refuses its own response. False for a save made after the response went out (as
     * the session is released, an eviction, a scavenge), which is Jetty's to log, as it does, and in a scope of
     * another context (Jetty renews a session id in every context on one request).
     */
    boolean refusing() {
        Guard current = currentOfMine();
        if (current == null) {
            if (ContextHandler.getCurrentContext() == context.getContext() && "commit".equals(sessionCacheCall())) {
                // In this context's scope entered without a request, as Jetty completes an asynchronous response an
                // application thread ended with complete(): the response being committed is the next this thread
                // sends.
                DUE.set(new WeakReference<>(UNSCOPED));
                return true;
            }
            return false;
        }
        String caller = sessionCacheCall();
        if ("release".equals(caller)) {
            // The session's request has answered already; the thread may serve another one not answered yet (an
            // application thread completing another request's asynchronous response), which must not take this.
            return false;
        }
        if ("commit".equals(caller)) {
            // The response being committed is the next this thread sends, whichever request it belongs to: also when
            // the innermost scope's own response went out before (a request answering another one after its own).
            DUE.set(new WeakReference<>(current));
            return true;
        }
        // A save the request made itself before it answers (a new session, a renewed id): its own response is refused.
        if (current.committed) {
            return false;
        }
        current.mark.refuse();
        return true;
    }

    /**
     * The nearest call of a session cache this thread is in, {@code commit} (Jetty saves as it commits a response) or
     * {@code release} (as a request lets its session go, after its response), or null. Looked at only when a save
     * failed.
     */
    private static String sessionCacheCall() {
        return StackWalker.getInstance(StackWalker.Option.RETAIN_CLASS_REFERENCE)
                .walk(frames -> frames.filter(frame -> SessionCache.class.isAssignableFrom(frame.getDeclaringClass()))
                        .map(StackWalker.StackFrame::getMethodName)
                        .filter(name -> name.equals("commit") || name.equals("release"))
                        .findFirst()
                        .orElse(null));
    }

    /**
     * Called by the coherent cache when a renewal of the id of the session of the request this thread serves failed:
     * refuses that request, if this context's listener saw its scope entered and its response is not committed yet;
     * its response becomes a 503 on whichever thread commits it.
     *
     * @return whether a request was refused
     */
    boolean refuseCurrentRequest() {
        Guard current = currentOfMine();
        if (current == null || current.committed) {
            return false;
        }
        current.mark.refuse();
        return true;
    }

    /** Takes the refusal due on this thread, if any (see {@link #DUE}). */
    private static boolean takeRefusal() {
        WeakReference<Guard> due = DUE.get();
        if (due == null) {
            return false;
        }
        DUE.remove();
        // Made in the scope of a request still running; one gone since left it stale.
        return due.get() != null;
    }

    /** Forgets a refusal due for this guard's request, which is over. */
    private static void forgetRefusalOf(Guard over) {
        WeakReference<Guard> due = DUE.get();
        if (due != null && due.get() == over) {
            DUE.remove();
        }
    }

    /**
     * One request's stream, inside Jetty's session wrapper. The first final response it sends after a refused save
     * becomes a 503 with {@code Retry-After} and a short text, without the application's headers (so without the
     * {@code Set-Cookie} of a session that was not stored: the user keeps the cookie they had) and without its body,
     * of which nothing more is sent. Interim responses (100 Continue; 101 starts another protocol) pass, and a
     * refusal due then waits for the final one.
     */
    static final class Guard extends HttpStream.Wrapper {
        private final HttpField retryAfter;
        private volatile boolean committed;
        /**
         * This request as a session's data remembers it when it sets an attribute: a small object of its own, so
         * that a session holding it keeps nothing of the request alive.
         */
        private final Mark mark = new Mark();

        private boolean refused;

        Guard(HttpStream wrapped, HttpField retryAfter) {
            super(wrapped);
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
                if (HttpStatus.isInformational(response.getStatus())) {
                    // Jetty saved as this interim response (100 Continue) was committed: the final one is refused.
                    if (takeRefusal()) {
                        mark.refuse();
                    }
                } else {
                    committed = true;
                    mark.answered = true;
                    if (takeRefusal() | mark.refused) {
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
            forgetRefusalOf(this);
            mark.answered = true;
            super.succeeded();
        }

        @Override
        public void failed(Throwable x) {
            forgetRefusalOf(this);
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
