# jetty-sqlite-sessions: sessions kept in memory and checked against their row, for several nodes on one table.

[description]
Gives every context a CoherentSessionCache (jetty-sqlite-sessions): sessions stay in memory as with Jetty's
session-cache-hash, and each cached session is compared with its row before a request uses it, so that Jetty
servers sharing one session table see each other's changes, logouts and expiries.
It is the session cache session-store-sqlite and session-store-postgresql bring in unless another session-cache
module is enabled, and it needs one of those two stores (with any other store, use session-cache-hash).

[tags]
session

[provides]
session-cache|default

[depends]
sessions

[lib]
lib/sessions/jetty-sqlite-sessions-@project.version@.jar

[xml]
etc/sessions/session-cache-coherent.xml

[ini-template]
## Seconds a session may stay unused in memory before it is evicted: -1 never, 0 at the end of every request.
# jetty.session.evictionPolicy=-1

## Whether a session evicted for being unused is saved first (needed only with a savePeriod that skipped writes).
# jetty.session.saveOnInactiveEviction=false

## Whether a new session is written at once, rather than at the end of the request that created it.
# jetty.session.saveOnCreate=false

## Whether a session whose row cannot be read (a class gone from the webapp, say) is deleted rather than kept.
# jetty.session.removeUnloadableSessions=false

## Save a session's changes before the response is sent, so that the user's next request finds them on any node, and
## so that a request whose changes the database refused is answered 503 (the store's refuseFailedSaves), not 200.
# jetty.session.flushOnResponseCommit=true

## Whether the sessions in memory are invalidated (and their rows deleted) when Jetty stops.
# jetty.session.invalidateOnShutdown=false
