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
# A session cache in front of the store: session-cache-coherent unless the base enables another
# session-cache module (session-cache-hash, session-cache-null), which then takes its place.
session-cache

[lib]
lib/sessions/jetty-sqlite-sessions-@project.version@.jar
lib/sessions/sqlite-jdbc-${sqlite-jdbc.version}.jar

[xml]
etc/sessions/sqlite/session-store.xml

[files]
sessions/
# The SQLite JDBC driver. The archive this module comes in already holds it under lib/sessions/, so nothing is
# downloaded; with another sqlite-jdbc.version, start.jar fetches that version from Maven Central.
maven://org.xerial/sqlite-jdbc/${sqlite-jdbc.version}|lib/sessions/sqlite-jdbc-${sqlite-jdbc.version}.jar

[ini]
sqlite-jdbc.version?=@sqlite-jdbc.version@

[license]
The SQLite JDBC driver (org.xerial:sqlite-jdbc) is distributed under the Apache License 2.0:
https://github.com/xerial/sqlite-jdbc/blob/master/LICENSE
SQLite itself is in the public domain: https://sqlite.org/copyright.html

[ini-template]
## The SQLite database file; missing directories are created.
# jetty.session.sqlite.file=${jetty.base}/sessions/sessions.db

## Commit durability: NORMAL survives a crash of the process, FULL also survives power loss (OFF, NORMAL, FULL, EXTRA).
# jetty.session.sqlite.synchronous=NORMAL

## Milliseconds a write waits for another process holding the write lock (and a read for a free connection).
# jetty.session.sqlite.busyTimeoutMs=5000

## Read connections per database file.
# jetty.session.sqlite.maxReaders=8

## Who checkpoints the write-ahead log: STORE (the store, off the request path) or EXTERNAL (another process that
## must be the only one to, such as Litestream replicating the file; the log grows until it checkpoints).
# jetty.session.sqlite.checkpoints=STORE

## The table holding the sessions: [A-Za-z_][A-Za-z0-9_]{0,62}.
# jetty.session.sqlite.table=jetty_sessions

## Who keeps the table's schema: create (the store creates and upgrades it as it starts), validate (the store changes
## nothing and refuses to start on a missing or older table, naming the statements to run; the scripts are
## io/github/jettysqlite/sessions/schema/sqlite.sql in the library's jar), or none (no DDL and no check at all).
# jetty.session.sqlite.schemaMode=create

## ObjectInputFilter pattern every session attribute is read through (jdk.serialFilter syntax).
## Leave unset for the library's default: graph limits plus a deny-list of known gadget classes.
# jetty.session.sqlite.deserializationFilter=

## Seal every attribute blob with HMAC-SHA256: where the key is (env:NAME or file:PATH, 32+ bytes), and keys that
## still verify after a rotation (comma-separated). Unset: no sealing.
# jetty.session.sqlite.attributeKey=file:${jetty.base}/etc/sessions/attribute.key
# jetty.session.sqlite.attributeOldKeys=
## With a key: whether rows without a seal are read (and sealed on their next write). Off by default, since an
## unsealed row is what anyone who can write to the database would plant: switch it on only while sealing an
## existing table (then run the CLI's seal command, or JMX sealRows), and off again.
# jetty.session.sqlite.acceptUnsealedRows=false
## With a key: also encrypt every attribute at rest (AES-256-GCM), so files, backups and copies hold none in the clear.
# jetty.session.sqlite.encryptAttributes=false

## Save attributes changed in place without setAttribute (compares every attribute on each store).
# jetty.session.sqlite.saveInPlaceChanges=true

## A request whose session changes the database refused is answered 503 with Retry-After (busyTimeoutMs in
## whole seconds), and its changes are dropped, rather than answered as if they were kept. This needs the cache to
## save before the response: session-cache-coherent does; with session-cache-hash or session-cache-null, also set
## jetty.session.flushOnResponseCommit=true.
# jetty.session.sqlite.refuseFailedSaves=true

## The absolute lifetime of a session in seconds from its creation, whatever its activity; 0: none.
# jetty.session.sqlite.maxSessionLifetimeSec=0

## With an attributeKey, keep a keyed hash of each session id in the table instead of the id (protected ids).
# jetty.session.sqlite.protectSessionIds=true

## Record who each session is logged in as (Jetty's authentication, Spring Security, or the attribute below), so
## that a user's sessions can be listed and ended (JMX, the command line's --principal, UserSessions).
# jetty.session.sqlite.recordPrincipal=true

## The session attribute holding the logged-in user, for applications using neither Jetty's nor Spring's login.
# jetty.session.sqlite.principalAttribute=

## The SQLite JDBC driver's version (fetched from Maven Central if not in lib/sessions/).
# sqlite-jdbc.version=@sqlite-jdbc.version@

## Jetty's own session store settings.
# jetty.session.gracePeriod.seconds=3600
# jetty.session.savePeriod.seconds=0
