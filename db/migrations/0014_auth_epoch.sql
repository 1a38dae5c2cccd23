-- ADR 0011: the authentication epoch. Every server process caches verified sessions
-- (platform/auth.h); a change that can end or narrow a session bumps this one counter in
-- the same transaction (triggers in the dialect files), and each process reads it at most
-- once per cache bound (AppConfig::session_cache_ms, 2 s) to drop its cache when it moved.
-- The triggers catch every writer (the API, the CLI, plain SQL), not only the code paths
-- that remember to say so.
CREATE TABLE auth_epoch (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  version BIGINT NOT NULL
);
INSERT INTO auth_epoch (id, version) VALUES (1, 0);
