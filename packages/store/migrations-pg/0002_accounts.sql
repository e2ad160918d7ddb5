-- carewatch store on PostgreSQL, schema 2: state of its own, never a projection of the log
-- (`rebuild` leaves it alone). Mirrors SQLite's 0001 (api_keys, displays), 0003 (accounts,
-- display provinces), 0004 (audit) and the registry section of 0005. Instants are ms (BIGINT).
-- Every secret is stored as its sha256 only (tokens) or its argon2id hash (passwords). Province
-- lists and audit before/after stay JSON text, as in SQLite, so the same helpers read them.
-- Never edit this file after release: add a later NNNN_*.sql instead.

-- Keys and tokens: only sha256 hashes are stored, never the secret itself.
CREATE TABLE api_keys (
  id           TEXT   PRIMARY KEY,
  facility_id  TEXT   NOT NULL REFERENCES facilities(id),
  key_hash     TEXT   NOT NULL UNIQUE,
  created_at   BIGINT NOT NULL,
  revoked_at   BIGINT,
  last_used_at BIGINT
);

CREATE TABLE displays (
  id         TEXT   PRIMARY KEY,
  name       TEXT   NOT NULL,
  token_hash TEXT   NOT NULL UNIQUE,
  created_at BIGINT NOT NULL,
  revoked_at BIGINT,
  provinces  TEXT   NOT NULL DEFAULT '[]'           -- JSON array of province ids; [] = every province
);

CREATE TABLE users (
  id            TEXT   PRIMARY KEY,
  -- Lower-cased (and trimmed) by the store: the login name, and the only personal datum kept.
  email         TEXT   NOT NULL UNIQUE,
  role          TEXT   NOT NULL,                    -- domain ROLES; checked in code
  provinces     TEXT   NOT NULL DEFAULT '[]',       -- JSON array of province ids; [] = every province
  facility_id   TEXT   REFERENCES facilities(id),   -- the clerk's facility (role 'facility' only)
  password_hash TEXT,                               -- argon2id; NULL until an invitation is accepted
  created_at    BIGINT NOT NULL,
  disabled_at   BIGINT
);

CREATE TABLE sessions (
  id           TEXT   PRIMARY KEY,                  -- not a secret: names the session in logs and sweeps
  token_hash   TEXT   NOT NULL UNIQUE,
  user_id      TEXT   NOT NULL REFERENCES users(id),
  created_at   BIGINT NOT NULL,
  last_seen_at BIGINT NOT NULL,
  ended_at     BIGINT
);
-- "Log out everywhere" and disabling a user end every open session of one user.
CREATE INDEX sessions_user ON sessions (user_id) WHERE ended_at IS NULL;

CREATE TABLE invitations (
  token_hash TEXT   PRIMARY KEY,
  user_id    TEXT   NOT NULL REFERENCES users(id),
  created_at BIGINT NOT NULL,
  expires_at BIGINT NOT NULL,
  used_at    BIGINT
);

-- The audit log of administrative changes: append-only; before/after are JSON and never hold
-- a secret, password hash or token. Paged by id, newest first.
CREATE TABLE audit (
  id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  at          BIGINT NOT NULL,
  actor_kind  TEXT   NOT NULL,                      -- "user", "cli", …
  actor_id    TEXT   NOT NULL,                      -- the user id, or "cw"
  actor_email TEXT,
  action      TEXT   NOT NULL,                      -- e.g. "users.invite", "keys.revoke"
  target      TEXT   NOT NULL,                      -- an email, a key id, a display id
  before      TEXT,
  after       TEXT
);
CREATE INDEX audit_at ON audit (at);

-- Facility registry, versioned: each change is a new version (the whole document,
-- RegistrySchema's JSON), in force for instants at or after effective_from (ms). The current
-- registry is the last version; the registry at t is the last version (by number) in force at
-- t, or the first one before any. Seeded at the first open from the bundled registry.
CREATE TABLE registry_versions (
  version        BIGINT PRIMARY KEY,
  effective_from BIGINT NOT NULL,
  document       TEXT   NOT NULL,
  created_at     BIGINT NOT NULL,
  created_by     TEXT   NOT NULL                    -- "seed", a user's email, or "cw"
);
