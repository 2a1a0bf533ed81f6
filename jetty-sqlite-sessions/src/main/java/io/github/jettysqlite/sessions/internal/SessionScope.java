package io.github.jettysqlite.sessions.internal;

/** The part of a session's key that one store (one context) fixes: Jetty's canonical context path and vhost. */
public record SessionScope(String contextPath, String virtualHost) {}
