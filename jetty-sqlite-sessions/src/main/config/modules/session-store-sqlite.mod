# jetty-sqlite-sessions: keep every context's HTTP sessions in one SQLite file.

[description]
Keeps HTTP sessions in an SQLite database file (jetty-sqlite-sessions).
Sessions survive restarts and can be shared by several Jetty processes on one host.

[tags]
session

[provides]
session-store

[depends]
sessions

[lib]
lib/sqlite/*.jar

[xml]
etc/sessions/sqlite/session-store.xml

[files]
sessions/
# The SQLite JDBC driver. The archive this module comes in already holds it under lib/sqlite/, so nothing is
# downloaded; were it removed, start.jar would fetch it from Maven Central.
maven://org.xerial/sqlite-jdbc/@sqlite-jdbc.version@|lib/sqlite/sqlite-jdbc-@sqlite-jdbc.version@.jar

[ini-template]
## The SQLite database file; missing directories are created.
# jetty.session.sqlite.file=${jetty.base}/sessions/sessions.db

## The table holding the sessions: [A-Za-z_][A-Za-z0-9_]{0,62}.
# jetty.session.sqlite.table=jetty_sessions

## Commit durability: NORMAL survives a crash of the process, FULL also survives power loss (OFF, NORMAL, FULL, EXTRA).
# jetty.session.sqlite.synchronous=NORMAL

## Milliseconds a write waits for another process holding the write lock.
# jetty.session.sqlite.busyTimeoutMs=5000

## Read connections per database file.
# jetty.session.sqlite.maxReaders=8

## ObjectInputFilter pattern every session attribute is read through (jdk.serialFilter syntax).
## Leave unset for the library's default: graph limits plus a deny-list of known gadget classes.
# jetty.session.sqlite.deserializationFilter=

## Jetty's own session store settings.
# jetty.session.gracePeriod.seconds=3600
# jetty.session.savePeriod.seconds=0
