# jetty-sqlite-sessions on PostgreSQL: HTTP sessions on a server that Jetty on several machines shares.

[description]
Keeps HTTP sessions on a PostgreSQL server (jetty-sqlite-sessions-postgresql), so that Jetty servers on
several machines share them. Set jetty.session.postgresql.url, or a JNDI data source name.

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
lib/sessions/jetty-sqlite-sessions-postgresql-@project.version@.jar
lib/sessions/postgresql-${postgresql.version}.jar
lib/sessions/HikariCP-${hikaricp.version}.jar

[xml]
etc/sessions/postgresql/session-store.xml

[files]
# The PostgreSQL driver and the HikariCP pool. The archive this module comes in already holds both under
# lib/sessions/; with other versions set below, start.jar fetches those from Maven Central.
maven://org.postgresql/postgresql/${postgresql.version}|lib/sessions/postgresql-${postgresql.version}.jar
maven://com.zaxxer/HikariCP/${hikaricp.version}|lib/sessions/HikariCP-${hikaricp.version}.jar

[ini]
postgresql.version?=@postgresql.version@
hikaricp.version?=@hikaricp.version@

[license]
The PostgreSQL JDBC driver (org.postgresql:postgresql) is distributed under the BSD 2-Clause License:
https://jdbc.postgresql.org/license/
HikariCP (com.zaxxer:HikariCP) is distributed under the Apache License 2.0:
https://github.com/brettwooldridge/HikariCP/blob/dev/LICENSE

[ini-template]
## The PostgreSQL database every node shares; the store creates its table there on first start (see schemaMode).
jetty.session.postgresql.url=jdbc:postgresql://localhost:5432/jetty

## Credentials, unless the URL holds them.
# jetty.session.postgresql.user=jetty
# jetty.session.postgresql.password=

## Instead of the URL: the JNDI name of a javax.sql.DataSource (enable the jndi and plus modules and bind it),
## as Jetty's session-store-jdbc offers with db-connection-type=datasource.
# jetty.session.postgresql.dataSourceName=jdbc/sessions

## With a URL: the most connections each Jetty server opens, and how long a request waits for one (ms); a statement
## the server has not answered in twice that is given up (a server or network gone silent), and the server cancels
## one running a second less than that (statement_timeout; a statement waiting for a lock).
# jetty.session.postgresql.poolSize=10
# jetty.session.postgresql.connectionTimeoutMs=5000

## The table holding the sessions: [A-Za-z_][A-Za-z0-9_]{0,55}.
# jetty.session.postgresql.table=jetty_sessions

## Who keeps the table's schema: create (the store creates and upgrades it as it starts), validate (the store changes
## nothing and refuses to start on a missing or older table, naming the statements to run; the scripts are
## io/github/jettysqlite/sessions/schema/postgresql.sql in the library's jar), or none (no DDL and no check at all).
# jetty.session.postgresql.schemaMode=create

## ObjectInputFilter pattern, sealing and in-place changes, as for SQLite.
# jetty.session.postgresql.deserializationFilter=
# jetty.session.postgresql.attributeKey=env:JETTY_SESSION_KEY
# jetty.session.postgresql.attributeOldKeys=
# jetty.session.postgresql.acceptUnsealedRows=false
## With a key: also encrypt every attribute at rest (AES-256-GCM), so files, backups and copies hold none in the clear.
# jetty.session.postgresql.encryptAttributes=false
# jetty.session.postgresql.saveInPlaceChanges=true

## A request whose session changes the database refused is answered 503 with Retry-After (connectionTimeoutMs in
## whole seconds), and its changes are dropped, rather than answered as if they were kept. This needs the cache to
## save before the response: session-cache-coherent does; with session-cache-hash or session-cache-null, also set
## jetty.session.flushOnResponseCommit=true.
# jetty.session.postgresql.refuseFailedSaves=true

## The absolute lifetime of a session in seconds from its creation, whatever its activity; 0: none.
# jetty.session.postgresql.maxSessionLifetimeSec=0

## With an attributeKey, keep a keyed hash of each session id in the table instead of the id (protected ids).
# jetty.session.postgresql.protectSessionIds=true

## Record who each session is logged in as (Jetty's authentication, Spring Security, or the attribute below), so
## that a user's sessions can be listed and ended (JMX, the command line's --principal, UserSessions).
# jetty.session.postgresql.recordPrincipal=true

## The session attribute holding the logged-in user, for applications using neither Jetty's nor Spring's login.
# jetty.session.postgresql.principalAttribute=

## The versions of the driver and the pool (fetched from Maven Central if not in lib/sessions/).
# postgresql.version=@postgresql.version@
# hikaricp.version=@hikaricp.version@

## Jetty's own session store settings.
# jetty.session.gracePeriod.seconds=3600
# jetty.session.savePeriod.seconds=0
