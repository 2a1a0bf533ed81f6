-- The session table of jetty-sqlite-sessions on SQLite, layout version 4, named jetty_sessions.
-- Another name: replace jetty_sessions throughout. A store with schemaMode=validate accepts the table
-- this creates; with schemaMode=create (the default) a store creates it itself.
-- On a new file, run PRAGMA auto_vacuum = INCREMENTAL; first, as a store does on a file it creates: it only
-- takes effect before the first table, and lets the store give the pages of deleted sessions back.
CREATE TABLE IF NOT EXISTS jetty_sessions (
    session_id TEXT NOT NULL,
    context_path TEXT NOT NULL,
    virtual_host TEXT NOT NULL,
    last_node TEXT,
    created_ms INTEGER NOT NULL,
    accessed_ms INTEGER NOT NULL,
    last_accessed_ms INTEGER NOT NULL,
    cookie_set_ms INTEGER NOT NULL,
    last_saved_ms INTEGER NOT NULL,
    max_inactive_ms INTEGER NOT NULL,
    expires_at REAL,
    attributes_version INTEGER NOT NULL DEFAULT 0,
    attributes BLOB NOT NULL,
    principal TEXT,
    sealed_id TEXT,
    PRIMARY KEY (context_path, virtual_host, session_id)
);
CREATE INDEX IF NOT EXISTS jetty_sessions_expiry ON jetty_sessions (expires_at, context_path, virtual_host) WHERE expires_at IS NOT NULL;
CREATE INDEX IF NOT EXISTS jetty_sessions_users ON jetty_sessions (principal, context_path, virtual_host) WHERE principal IS NOT NULL;
PRAGMA user_version = 4;
