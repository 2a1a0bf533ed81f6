package io.github.jettysqlite.sessions.support;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.jettysqlite.sessions.SessionStoreStatistics;
import io.github.jettysqlite.sessions.SessionTableDataStore;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.client.ContentResponse;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.client.Request;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Server;

/**
 * Requests to the context {@code /a} of {@link TestServer} nodes, each carrying the session cookie it is given by hand
 * (the client keeps none), and the store statistics of a node's context.
 */
public final class NodeRequests {
    private final HttpClient client;

    public NodeRequests(HttpClient client) {
        this.client = client;
    }

    /** The answer of a request that must succeed. */
    public String get(Server node, String query, String sessionId) throws Exception {
        ContentResponse response = request(node, query, sessionId).send();
        assertThat(response.getStatus()).as(response.getContentAsString()).isEqualTo(200);
        return response.getContentAsString();
    }

    /** A request not sent yet, with the session cookie when one is given. */
    public Request request(Server node, String query, String sessionId) {
        Request request = client.newRequest("http://127.0.0.1:" + TestServer.port(node) + "/a/" + query)
                .timeout(30, TimeUnit.SECONDS);
        if (sessionId != null) {
            request.headers(h -> h.put(HttpHeader.COOKIE, "JSESSIONID=" + sessionId));
        }
        return request;
    }

    /** The context {@code /a} of a node. */
    public static ServletContextHandler contextOf(Server server) {
        return server.getDescendants(ServletContextHandler.class).stream()
                .filter(c -> c.getContextPath().equals("/a"))
                .findFirst()
                .orElseThrow();
    }

    /** The store statistics of the node's context {@code /a}. */
    public static SessionStoreStatistics statistics(Server server) {
        return ((SessionTableDataStore)
                        contextOf(server).getSessionHandler().getSessionCache().getSessionDataStore())
                .getStatistics();
    }

    /** Stops the nodes that were started, then the client. */
    public static void stopAll(HttpClient client, Server... nodes) throws Exception {
        try {
            for (Server node : nodes) {
                if (node != null) {
                    node.stop();
                }
            }
        } finally {
            client.stop();
        }
    }
}
