-- The session table of jetty-sqlite-sessions on PostgreSQL, layout version 4, named jetty_sessions.
-- Another name: replace jetty_sessions throughout. A store with schemaMode=validate accepts the table
-- this creates; with schemaMode=create (the default) a store creates it itself.
-- The version is recorded under the table's name in lower case, as PostgreSQL's catalogs spell it.
CREATE TABLE IF NOT EXISTS jetty_sessions (
    session_id TEXT NOT NULL,
    context_path TEXT NOT NULL,
    virtual_host TEXT NOT NULL,
    last_node TEXT,
    created_ms BIGINT NOT NULL,
    accessed_ms BIGINT NOT NULL,
    last_accessed_ms BIGINT NOT NULL,
    cookie_set_ms BIGINT NOT NULL,
    last_saved_ms BIGINT NOT NULL,
    max_inactive_ms BIGINT NOT NULL,
    expires_at DOUBLE PRECISION,
    attributes_version BIGINT NOT NULL DEFAULT 0,
    attributes BYTEA NOT NULL,
    principal TEXT,
    sealed_id TEXT,
    PRIMARY KEY (context_path, virtual_host, session_id)
);
CREATE INDEX IF NOT EXISTS jetty_sessions_expiry ON jetty_sessions (expires_at, context_path, virtual_host) WHERE expires_at IS NOT NULL;
CREATE INDEX IF NOT EXISTS jetty_sessions_users ON jetty_sessions (principal, context_path, virtual_host) WHERE principal IS NOT NULL;
CREATE TABLE IF NOT EXISTS jetty_session_schema (table_name TEXT PRIMARY KEY, version INTEGER NOT NULL);
INSERT INTO jetty_session_schema (table_name, version) VALUES ('jetty_sessions', 4) ON CONFLICT (table_name) DO UPDATE SET version = excluded.version;
