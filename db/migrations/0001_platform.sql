-- Platform: organisation, users, sessions, permissions, policies, audit.
-- Portable SQL for SQLite and PostgreSQL. Times are RFC 3339 UTC text, dates
-- YYYY-MM-DD text, booleans INTEGER 0/1 (see docs/adr/0003-storage.md).

CREATE TABLE org_units (
  id {{id_pk}},
  parent_id BIGINT REFERENCES org_units(id),
  name TEXT NOT NULL,
  kind TEXT NOT NULL CHECK (kind IN ('company', 'department', 'team')),
  -- No foreign key: users reference units too; the service checks the manager exists.
  manager_id BIGINT,
  -- Materialised path "/1/4/9/" so a subtree is one indexed prefix scan.
  path TEXT NOT NULL,
  active INTEGER NOT NULL DEFAULT 1,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
CREATE INDEX org_units_path ON org_units (path);
CREATE UNIQUE INDEX org_units_sibling_name ON org_units (COALESCE(parent_id, 0), name);

CREATE TABLE users (
  id {{id_pk}},
  username TEXT NOT NULL UNIQUE,          -- stored lower-case
  name TEXT NOT NULL,
  phone TEXT NOT NULL UNIQUE,
  email TEXT,
  unit_id BIGINT NOT NULL REFERENCES org_units(id),
  manager_id BIGINT REFERENCES users(id),
  employment_status TEXT NOT NULL CHECK (employment_status IN ('probation', 'regular')),
  hired_on TEXT,
  regular_on TEXT,
  active INTEGER NOT NULL DEFAULT 1,
  password_hash TEXT NOT NULL,
  must_change_password INTEGER NOT NULL DEFAULT 0,
  failed_logins INTEGER NOT NULL DEFAULT 0,
  locked_until TEXT,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
CREATE INDEX users_unit ON users (unit_id);
CREATE INDEX users_manager ON users (manager_id);

CREATE TABLE user_roles (
  user_id BIGINT NOT NULL REFERENCES users(id),
  role TEXT NOT NULL,
  PRIMARY KEY (user_id, role)
);

-- Moving a user between units keeps history: one row per stay.
CREATE TABLE user_unit_history (
  id {{id_pk}},
  user_id BIGINT NOT NULL REFERENCES users(id),
  unit_id BIGINT NOT NULL REFERENCES org_units(id),
  started_at TEXT NOT NULL,
  ended_at TEXT,
  changed_by BIGINT REFERENCES users(id),
  note TEXT
);
CREATE INDEX user_unit_history_user ON user_unit_history (user_id, id);

-- Browser sessions and API tokens. Only a hash of the secret is stored.
CREATE TABLE sessions (
  id {{id_pk}},
  token_hash TEXT NOT NULL UNIQUE,
  user_id BIGINT NOT NULL REFERENCES users(id),
  kind TEXT NOT NULL CHECK (kind IN ('browser', 'api')),
  name TEXT,
  csrf_token TEXT,
  created_at TEXT NOT NULL,
  last_seen_at TEXT NOT NULL,
  expires_at TEXT NOT NULL,
  revoked_at TEXT,
  ip TEXT,
  user_agent TEXT
);
CREATE INDEX sessions_user ON sessions (user_id);

-- Permission grants per role with a data scope (own / team / all).
CREATE TABLE role_grants (
  role TEXT NOT NULL,
  permission TEXT NOT NULL,
  scope TEXT NOT NULL CHECK (scope IN ('own', 'team', 'all')),
  PRIMARY KEY (role, permission)
);

-- Company policies: append-only versions; the value on date D is the version with
-- the latest effective_from <= D (ties: the later id, i.e. the correction).
CREATE TABLE policy_versions (
  id {{id_pk}},
  policy_key TEXT NOT NULL,
  value_json TEXT NOT NULL,
  effective_from TEXT NOT NULL,
  note TEXT,
  created_by BIGINT REFERENCES users(id),
  created_at TEXT NOT NULL
);
CREATE INDEX policy_versions_key ON policy_versions (policy_key, effective_from, id);

-- Every change: who, when, from where, which record, fields before and after.
CREATE TABLE audit_log (
  id {{id_pk}},
  at TEXT NOT NULL,
  actor_id BIGINT,
  actor_name TEXT,
  ip TEXT,
  request_id TEXT,
  action TEXT NOT NULL,
  entity TEXT NOT NULL,
  entity_id TEXT,
  before_json TEXT,
  after_json TEXT
);
CREATE INDEX audit_log_entity ON audit_log (entity, entity_id, id);
CREATE INDEX audit_log_actor ON audit_log (actor_id, id);
CREATE INDEX audit_log_at ON audit_log (at, id);

-- Background jobs take a lease so each runs once across several server processes.
CREATE TABLE job_leases (
  job TEXT PRIMARY KEY,
  holder TEXT NOT NULL,
  expires_at TEXT NOT NULL
);

-- Default grants (docs/modules/platform.md, "Permissions").
INSERT INTO role_grants (role, permission, scope) VALUES
  ('admin', 'org.read', 'all'), ('admin', 'org.manage', 'all'),
  ('admin', 'users.read', 'all'), ('admin', 'users.manage', 'all'),
  ('admin', 'roles.read', 'all'), ('admin', 'roles.manage', 'all'),
  ('admin', 'policies.read', 'all'), ('admin', 'policies.manage', 'all'),
  ('admin', 'audit.read', 'all'),
  ('general_manager', 'org.read', 'all'), ('general_manager', 'org.manage', 'all'),
  ('general_manager', 'users.read', 'all'), ('general_manager', 'users.manage', 'all'),
  ('general_manager', 'roles.read', 'all'),
  ('general_manager', 'policies.read', 'all'), ('general_manager', 'policies.manage', 'all'),
  ('general_manager', 'audit.read', 'all'),
  ('sales_manager', 'org.read', 'all'), ('sales_manager', 'users.read', 'team'),
  ('sales_manager', 'policies.read', 'all'),
  ('sales_assistant', 'org.read', 'all'), ('sales_assistant', 'users.read', 'all'),
  ('sales_assistant', 'policies.read', 'all'),
  ('finance', 'org.read', 'all'), ('finance', 'users.read', 'all'),
  ('finance', 'policies.read', 'all'),
  ('customer_service', 'org.read', 'all'), ('customer_service', 'users.read', 'all');
