package io.github.jettysqlite.sessions;

/** The part of a session's key that one store (one context) fixes: Jetty's canonical context path and vhost. */
record SessionScope(String contextPath, String virtualHost) {}
