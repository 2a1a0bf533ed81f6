package io.github.jettysqlite.sessions;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.jettysqlite.sessions.internal.sqlite.SQLiteInternals;
import io.github.jettysqlite.sessions.support.NodeHttp;
import io.github.jettysqlite.sessions.support.NodeServer;
import io.github.jettysqlite.sessions.support.TestServer;
import io.github.jettysqlite.sessions.support.Waiting;
import java.lang.ref.WeakReference;
import java.lang.reflect.Field;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.jetty.client.CompletableResponseListener;
import org.eclipse.jetty.client.ContentResponse;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.util.Callback;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A real Jetty server on a real SQLite file whose write a real fault refuses, under each cache saving before the
 * response ({@link NodeServer#cacheFactory}): the request whose change could not be saved is answered 503 with Retry-After instead of 200, sets no
 * cookie, and the next request finds the session as it was before it, in memory and in the row.
 */
class FailedSaveRefusalsTest {
    private static final int BUSY_TIMEOUT_MS = 200;
    /** A change too big for the pages the file may still take once it is full. */
    private static final int BIGGER_THAN_THE_FILE_MAY_GROW = 1024 * 1024;

    @TempDir
    Path dir;

    private Path file;
    private Server server;
    private HttpClient client;

    @BeforeEach
    void startClient() throws Exception {
        file = dir.resolve("sessions.db");
        client = NodeHttp.newClient();
    }

    @AfterEach
    void stop() throws Exception {
        client.stop();
        if (server != null) {
            server.stop();
        }
    }

    /**
     * Also with an asynchronous servlet that sets the attribute and commits its response from a thread of its own:
     * Jetty saves the session there, entering the context only for the save, and the response goes out after it left;
     * and with one that leaves the commit to {@code complete()}, which Jetty runs in the context entered without the
     * request.
     */
    @ParameterizedTest(name = "{0} cache, {1} response")
    @CsvSource({
        "coherent, synchronous",
        "default, synchronous",
        "null, synchronous",
        "coherent, asynchronous",
        "default, asynchronous",
        "null, asynchronous",
        "coherent, completed",
        "default, completed",
        "null, completed"
    })
    void aChangeAnotherProcessLockedOutIsRefusedAndNotKept(String cache, String response) throws Exception {
        start(cache, true);
        String id = get("/a/?set=cart=book", null).getContentAsString();

        ContentResponse refused = whileLocked(
                switch (response) {
                    case "asynchronous" -> "/a/?async&set=cart=pen";
                    case "completed" -> "/a/?async&complete&set=cart=pen";
                    default -> "/a/?set=cart=pen";
                },
                id);

        assertRefusedAndKeptAsBefore(refused, id);
    }

    /**
     * A request answers another one of the same context (a chat or long-poll server): the answered request's save,
     * made on the answering request's thread as it commits the other's response, is refused; the request that answered
     * it, whose session has no change, is answered as usual. Also when the answering request sent its own response
     * first.
     */
    @ParameterizedTest(name = "{0} cache, {1}")
    @CsvSource({
        "coherent, ?finishParked",
        "default, ?finishParked",
        "null, ?finishParked",
        "coherent, ?finishParked&answerFirst",
        "default, ?finishParked&answerFirst",
        "null, ?finishParked&answerFirst"
    })
    void aRequestAnsweredFromAnotherRequestIsTheOneRefused(String cache, String answering) throws Exception {
        start(cache, true);
        String id = get("/a/?set=cart=book", null).getContentAsString();
        TestServer.prepareParking();
        CompletableFuture<ContentResponse> parked = new CompletableResponseListener(
                        client.newRequest("http://127.0.0.1:" + TestServer.port(server) + "/a/?park=pen")
                                .headers(h -> h.put(HttpHeader.COOKIE, "JSESSIONID=" + id + ".node0")))
                .send();
        TestServer.awaitParked();

        ContentResponse answered = whileLocked("/a/" + answering, null);

        assertThat(answered.getStatus())
                .as("the request that answered the other")
                .isEqualTo(200);
        assertRefusedAndKeptAsBefore(parked.get(60, TimeUnit.SECONDS), id);
    }

    @ParameterizedTest(name = "{0} cache")
    @ValueSource(strings = {"coherent", "default", "null"})
    void aChangeTheFullDiskCannotTakeIsRefusedAndNotKept(String cache) throws Exception {
        start(cache, true);
        String id = get("/a/?set=cart=book", null).getContentAsString();

        // SQLITE_FULL, as from a full disk: the store's own writer may not grow the file past the pages it has.
        setMaxPageCount(pageCount());
        ContentResponse refused = get("/a/?set=cart=pen&pad=" + BIGGER_THAN_THE_FILE_MAY_GROW, id);
        setMaxPageCount(1_000_000_000);

        assertRefusedAndKeptAsBefore(refused, id);
        assertThat(get("/a/?get=pad", id).getContentAsString())
                .as("nothing of the refused change is in memory")
                .isEqualTo("null");
    }

    @ParameterizedTest(name = "{0} cache")
    @ValueSource(strings = {"coherent", "default", "null"})
    void aNewSessionThatCannotBeSavedIsRefusedWithoutItsCookie(String cache) throws Exception {
        start(cache, true);
        get("/a/", null);

        ContentResponse refused = whileLocked("/a/?set=cart=pen", null);

        assertThat(refused.getStatus()).isEqualTo(503);
        assertThat(refused.getHeaders().get(HttpHeader.SET_COOKIE))
                .as("no cookie for a session that was not stored")
                .isNull();
    }

    /**
     * Two requests of one session at once on a cache that shares the session object between them: a change the one
     * made goes with the other's refused save (the session is put back as the row holds it), so that request is
     * refused too, rather than answered 200 for a change that was not kept; and what it sets after that is not kept
     * either, since it is refused.
     */
    @ParameterizedTest(name = "{0} cache")
    @ValueSource(strings = {"coherent", "default"})
    void aParallelRequestWhoseChangeWentWithARefusedSaveIsRefusedToo(String cache) throws Exception {
        start(cache, true);
        String id = get("/a/?set=cart=book", null).getContentAsString();
        TestServer.prepareHold();
        ExecutorService other = Executors.newSingleThreadExecutor();
        try {
            Future<ContentResponse> parallel = other.submit(() -> get("/a/?set=theme=dark&hold&pad=16", id));
            assertThat(TestServer.awaitHeld(parallel::isDone))
                    .as("the parallel request holds the session")
                    .isTrue();

            ContentResponse refused = whileLocked("/a/?set=cart=pen", id);
            assertThat(refused.getStatus()).isEqualTo(503);

            TestServer.releaseHeld();
            assertThat(parallel.get(Waiting.SECONDS, TimeUnit.SECONDS).getStatus())
                    .as("the parallel request, whose change was dropped")
                    .isEqualTo(503);
        } finally {
            TestServer.releaseHeld();
            other.shutdownNow();
        }
        assertThat(get("/a/?get=theme", id).getContentAsString()).isEqualTo("null");
        assertThat(get("/a/?get=pad", id).getContentAsString())
                .as("set by the parallel request after the refusal, and saved with no change of its own kept")
                .isEqualTo("null");
        assertThat(get("/a/?get=cart", id).getContentAsString()).isEqualTo("book");
    }

    @Test
    void withRefusalSwitchedOffAFailedSaveIsAnsweredAsJettyAnswersIt() throws Exception {
        start("coherent", false);
        String id = get("/a/?set=cart=book", null).getContentAsString();

        ContentResponse answered = whileLocked("/a/?set=cart=pen", id);

        assertThat(answered.getStatus()).isEqualTo(200);
        assertThat(store().getStatistics().getSavesRefused()).isZero();
    }

    /**
     * A thread of Jetty's pool keeps nothing of this library once a request it served has left the context: a value
     * of a class the webapp loaded, left in a pooled thread, would keep the webapp's class loader (every class it
     * loaded, and their statics) alive after the webapp is undeployed or redeployed.
     */
    @ParameterizedTest(name = "{0} cache")
    @ValueSource(strings = {"coherent", "null"})
    void aRequestLeavesNothingOnTheThreadThatServedIt(String cache) throws Exception {
        start(cache, true);
        ThreadWatch watch = watchThreadsAfterRequests();

        String id = get("/a/?set=cart=book", null).getContentAsString();
        ContentResponse refused = whileLocked("/a/?set=cart=pen", id);
        assertThat(get("/a/?get=cart", id).getContentAsString()).isEqualTo("book");

        assertThat(refused.getStatus()).isEqualTo(503);
        // The handler returns after the response went out: the client may have its answer first.
        Waiting.until("every request out of the handler", () -> watch.served().get() == 3);
        assertThat(watch.kept()).isEmpty();
    }

    /**
     * The webapp is stopped (an undeploy, a redeploy) while a request is still running in it. Jetty then drops the
     * store's listener before the request leaves the context, so the listener never hears it leave: what the thread
     * kept of it must hold nothing once the request is gone.
     */
    @Test
    void aRequestRunningAsTheStoreStopsLeavesNothingOnItsThreadEither() throws Exception {
        start("coherent", true);
        ThreadWatch watch = watchThreadsAfterRequests();
        String id = get("/a/?set=cart=book", null).getContentAsString();
        ServletContextHandler context = contextA();
        assertThat(context.getEventListeners()).anyMatch(FailedSaveRefusals.class::isInstance);

        TestServer.prepareHold();
        ExecutorService sender = Executors.newSingleThreadExecutor();
        try {
            Future<ContentResponse> running = sender.submit(() -> get("/a/?hold&set=cart=pen", id));
            assertThat(TestServer.awaitHeld(running::isDone))
                    .as("the request held")
                    .isTrue();
            context.stop();
            TestServer.releaseHeld();
            running.get(60, TimeUnit.SECONDS);
        } finally {
            TestServer.releaseHeld();
            sender.shutdownNow();
        }

        // The handler returns after the response went out: the client may have its answer first.
        Waiting.until("every request out of the handler", () -> watch.served().get() == 2);
        assertThat(context.getEventListeners()).noneMatch(FailedSaveRefusals.class::isInstance);
        assertThat(watch.kept()).as("what the held request's thread kept").hasSize(1);
        Waiting.until("nothing of the ended request held by its thread", () -> {
            System.gc();
            return watch.values().stream().allMatch(FailedSaveRefusalsTest::holdsNothingStrongly);
        });
    }

    /** Whether a thread's value of the refusals' scopes holds no object of this library otherwise unreachable. */
    private static boolean holdsNothingStrongly(Object value) {
        return value instanceof ArrayDeque<?> scopes
                && scopes.stream()
                        .allMatch(scope -> scope instanceof WeakReference<?>[] pair
                                && Arrays.stream(pair).allMatch(weak -> weak.get() == null));
    }

    private static ThreadLocal<?> threadLocal(String name) throws ReflectiveOperationException {
        Field field = FailedSaveRefusals.class.getDeclaredField(name);
        field.setAccessible(true);
        return (ThreadLocal<?>) field.get(null);
    }

    /**
     * What requests left on their threads: a line per request after which the thread kept the refusals' state, and
     * that state.
     */
    private record ThreadWatch(Queue<String> kept, Queue<Object> values, AtomicInteger served) {}

    /**
     * Puts a handler around the server's contexts that looks, on each request's thread right after the request left
     * them, at the refusals' per-thread state. The server is restarted for it (a started server takes no new handler).
     */
    private ThreadWatch watchThreadsAfterRequests() throws Exception {
        ThreadLocal<?> perThread = threadLocal("SCOPES");
        ThreadLocal<?> due = threadLocal("DUE");
        ThreadWatch watch =
                new ThreadWatch(new ConcurrentLinkedQueue<>(), new ConcurrentLinkedQueue<>(), new AtomicInteger());
        server.stop();
        Handler application = server.getHandler();
        server.setHandler(new Handler.Wrapper(application) {
            @Override
            public boolean handle(Request request, Response response, Callback callback) throws Exception {
                try {
                    return super.handle(request, response, callback);
                } finally {
                    if (due.get() != null) {
                        watch.kept()
                                .add("a refusal due on "
                                        + Thread.currentThread().getName());
                    }
                    Object value = perThread.get();
                    if (value != null) {
                        watch.kept().add(Thread.currentThread().getName() + " after " + request.getHttpURI());
                        watch.values().add(value);
                    }
                    // Counted last: a test that waits for the count must find what this request left recorded.
                    watch.served().incrementAndGet();
                }
            }
        });
        server.start();
        return watch;
    }

    /**
     * 503 with Retry-After, no cookie (the user's stays), and the session as it was before in memory and in the row;
     * the store counted the refusal.
     */
    private void assertRefusedAndKeptAsBefore(ContentResponse refused, String id) throws Exception {
        assertThat(refused.getStatus()).as(refused.getContentAsString()).isEqualTo(503);
        assertThat(refused.getHeaders().get(HttpHeader.RETRY_AFTER))
                .as("the busy timeout in whole seconds, at least one")
                .isEqualTo("1");
        assertThat(refused.getHeaders().get(HttpHeader.SET_COOKIE))
                .as("the user's cookie is kept")
                .isNull();

        ContentResponse after = get("/a/?get=cart", id);
        assertThat(after.getStatus()).isEqualTo(200);
        assertThat(after.getContentAsString())
                .as("the same session, as it was before the refused change")
                .isEqualTo("book");
        assertThat(after.getHeaders().get(HttpHeader.SET_COOKIE)).isNull();
        assertThat(store().load(id).getAttribute("cart"))
                .as("the row, as it was before")
                .isEqualTo("book");
        assertThat(store().getStatistics().getSavesRefused()).isEqualTo(1);
    }

    /**
     * The request, while another program on the file (a backup, an operator's sqlite3 shell) holds SQLite's write
     * lock past the store's busy timeout.
     */
    private ContentResponse whileLocked(String pathAndQuery, String sessionId) throws Exception {
        try (Connection other = SQLiteFixture.in(dir).connect();
                Statement lock = other.createStatement()) {
            lock.execute("BEGIN IMMEDIATE");
            ContentResponse response = get(pathAndQuery, sessionId);
            lock.execute("ROLLBACK");
            return response;
        }
    }

    private void start(String cache, boolean refuse) throws Exception {
        SQLiteSessionSettings settings = new SQLiteSessionSettings(file);
        settings.setBusyTimeoutMs(BUSY_TIMEOUT_MS);
        settings.setRefuseFailedSaves(refuse);
        SQLiteSessionDataStoreFactory store = new SQLiteSessionDataStoreFactory(settings);
        store.setGracePeriodSec(1);
        server = TestServer.startWithStore(0, store, NodeServer.cacheFactory(cache));
    }

    private ContentResponse get(String pathAndQuery, String sessionId) throws Exception {
        var request = client.newRequest("http://127.0.0.1:" + TestServer.port(server) + pathAndQuery);
        if (sessionId != null) {
            request.headers(h -> h.put(HttpHeader.COOKIE, "JSESSIONID=" + sessionId + ".node0"));
        }
        return request.send();
    }

    private SessionTableDataStore store() {
        return (SessionTableDataStore)
                contextA().getSessionHandler().getSessionCache().getSessionDataStore();
    }

    /** The context of {@code /a}, inside whatever handler wraps the server's contexts. */
    private ServletContextHandler contextA() {
        return (ServletContextHandler)
                server.getDescendants(ServletContextHandler.class).get(0);
    }

    private long pageCount() throws Exception {
        return SQLiteInternals.runExclusive(file, c -> {
            try (var r = c.prepare("PRAGMA page_count").executeQuery()) {
                r.next();
                return r.getLong(1);
            }
        });
    }

    /** max_page_count belongs to the connection, so it is set on the store's own writer. */
    private void setMaxPageCount(long pages) throws Exception {
        SQLiteInternals.runExclusive(file, c -> {
            try (var r = c.prepare("PRAGMA max_page_count = " + pages).executeQuery()) {
                return r.next();
            }
        });
    }
}
