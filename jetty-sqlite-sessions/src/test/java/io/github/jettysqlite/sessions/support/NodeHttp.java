package io.github.jettysqlite.sessions.support;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.eclipse.jetty.client.CompletableResponseListener;
import org.eclipse.jetty.client.ContentResponse;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.client.Request;
import org.eclipse.jetty.http.HttpCookieStore;
import org.eclipse.jetty.http.HttpHeader;

/** Talking to {@link NodeServer} children over HTTP: where they listen, and requests carrying one session's cookie. */
public final class NodeHttp {
    private NodeHttp() {}

    /**
     * A started client that keeps no cookies: they are per host, not per port, so each request carries the session
     * cookie the test gives it.
     */
    public static HttpClient newClient() throws Exception {
        HttpClient client = new HttpClient();
        client.setHttpCookieStore(new HttpCookieStore.Empty());
        client.start();
        return client;
    }

    /**
     * Waits for the child to print {@code READY <port>} and answers its base URI; fails at once if it exits, and
     * with what it printed if it never gets there.
     */
    public static String baseUri(ChildJvm node) throws InterruptedException {
        AtomicReference<String> port = new AtomicReference<>();
        Waiting.until("the node printing READY <port>", () -> "it printed:\n" + node.output(), () -> {
            String line = node.nextLine(100, TimeUnit.MILLISECONDS);
            if (line != null && line.startsWith("READY ")) {
                port.set(line.substring(6).trim());
                return true;
            }
            if (line == null && !node.isAlive()) {
                throw new AssertionError("node did not start:\n" + node.output());
            }
            return false;
        });
        return "http://127.0.0.1:" + port.get() + "/";
    }

    /** A GET that must answer 200, sending only the given session's cookie (or none). */
    public static String get(HttpClient client, String uri, String sessionId) throws Exception {
        return bodyOf(request(client, uri, sessionId).send());
    }

    /** As {@link #get}, without waiting: the answer completes the future, so that requests can overlap. */
    public static CompletableFuture<String> send(HttpClient client, String uri, String sessionId) {
        return new CompletableResponseListener(request(client, uri, sessionId))
                .send()
                .thenApply(NodeHttp::bodyOf);
    }

    /** A GET whatever its status, sending only the given session's cookie (or none): what the user saw. */
    public static Reply exchange(HttpClient client, String uri, String sessionId) throws Exception {
        ContentResponse response = request(client, uri, sessionId).send();
        return new Reply(
                response.getStatus(),
                response.getContentAsString(),
                response.getHeaders().get(HttpHeader.SET_COOKIE));
    }

    /** What the node counted of database failures ({@code ?stats}). */
    public static NodeStats stats(HttpClient client, String uri) throws Exception {
        return NodeStats.parse(get(client, uri + "?stats", null));
    }

    /** A status, a body, and the {@code Set-Cookie} header if there was one. */
    public record Reply(int status, String body, String setCookie) {
        /** Whether the answer sets a session cookie naming an id other than the one sent (which it would replace). */
        boolean setsOtherSession(String sentId) {
            return setCookie != null
                    && setCookie.contains("JSESSIONID=")
                    && !setCookie.contains("JSESSIONID=" + sentId);
        }
    }

    private static Request request(HttpClient client, String uri, String sessionId) {
        var request = client.newRequest(uri).timeout(30, TimeUnit.SECONDS);
        if (sessionId != null) {
            request.headers(h -> h.put(HttpHeader.COOKIE, "JSESSIONID=" + sessionId));
        }
        return request;
    }

    private static String bodyOf(ContentResponse response) {
        assertThat(response.getStatus()).as(response.getContentAsString()).isEqualTo(200);
        return response.getContentAsString();
    }
}
