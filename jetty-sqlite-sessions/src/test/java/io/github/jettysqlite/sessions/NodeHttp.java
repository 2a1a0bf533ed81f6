package io.github.jettysqlite.sessions;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.client.ContentResponse;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.http.HttpHeader;

/** Talking to {@link NodeServer} children over HTTP: where they listen, and requests carrying one session's cookie. */
final class NodeHttp {
    private NodeHttp() {}

    /** Waits for the child to print {@code READY <port>} and answers its base URI. */
    static String baseUri(ChildJvm node) throws InterruptedException {
        String line;
        while ((line = node.nextLine(60, TimeUnit.SECONDS)) != null) {
            if (line.startsWith("READY ")) {
                return "http://127.0.0.1:" + line.substring(6).trim() + "/";
            }
        }
        throw new AssertionError("node did not start:\n" + node.output());
    }

    /** A GET that must answer 200, sending only the given session's cookie (or none). */
    static String get(HttpClient client, String uri, String sessionId) throws Exception {
        var request = client.newRequest(uri).timeout(30, TimeUnit.SECONDS);
        if (sessionId != null) {
            request.headers(h -> h.put(HttpHeader.COOKIE, "JSESSIONID=" + sessionId));
        }
        ContentResponse response = request.send();
        assertThat(response.getStatus()).as(response.getContentAsString()).isEqualTo(200);
        return response.getContentAsString();
    }
}
