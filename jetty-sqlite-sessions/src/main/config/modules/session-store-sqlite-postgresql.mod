# jetty-sqlite-sessions on PostgreSQL: the same session store, on a server that Jetty on several machines shares.

[description]
Keeps HTTP sessions on a PostgreSQL server instead of an SQLite file (jetty-sqlite-sessions),
so that Jetty servers on several machines share them. Set jetty.session.sqlite.url.

[tags]
session

[depends]
session-store-sqlite

[lib]
lib/sqlite-postgresql/*.jar

[files]
# The PostgreSQL driver and the HikariCP pool. The archive this module comes in already holds both under
# lib/sqlite-postgresql/; were they removed, start.jar would fetch them from Maven Central.
maven://org.postgresql/postgresql/@postgresql.version@|lib/sqlite-postgresql/postgresql-@postgresql.version@.jar
maven://com.zaxxer/HikariCP/@hikaricp.version@|lib/sqlite-postgresql/HikariCP-@hikaricp.version@.jar

[ini-template]
## The PostgreSQL database every node shares; the store creates its table there on first start.
jetty.session.sqlite.url=jdbc:postgresql://localhost:5432/jetty

## Credentials, unless the URL holds them.
# jetty.session.sqlite.user=jetty
# jetty.session.sqlite.password=

## The most connections each Jetty server opens to PostgreSQL.
# jetty.session.sqlite.poolSize=10

## The table, and how long a request waits for a free connection (ms), as for SQLite.
# jetty.session.sqlite.table=jetty_sessions
# jetty.session.sqlite.busyTimeoutMs=5000
