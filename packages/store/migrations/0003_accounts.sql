-- carewatch store, schema 3: accounts, sessions and invitations (issue 7), and displays scoped
-- to provinces. Never edit this file after release: add 0004_*.sql instead.
-- Like keys and displays these are not projections of the log: `rebuild` leaves them alone.
-- Every secret is stored as its sha256 only (tokens) or its argon2id hash (passwords).

CREATE TABLE users (
  id            TEXT    PRIMARY KEY,
  -- Lower-cased (and trimmed) by the store: the login name, and the only personal datum kept.
  email         TEXT    NOT NULL UNIQUE,
  role          TEXT    NOT NULL,                   -- domain ROLES; checked in code so a new role needs no table rebuild
  provinces     TEXT    NOT NULL DEFAULT '[]',      -- JSON array of province ids; [] = every province
  facility_id   TEXT    REFERENCES facilities(id),  -- the clerk's facility (role 'facility' only)
  password_hash TEXT,                               -- argon2id; NULL until an invitation is accepted
  created_at    INTEGER NOT NULL,
  disabled_at   INTEGER
);

CREATE TABLE sessions (
  id           TEXT    PRIMARY KEY,                 -- not a secret: names the session in logs and sweeps
  token_hash   TEXT    NOT NULL UNIQUE,
  user_id      TEXT    NOT NULL REFERENCES users(id),
  created_at   INTEGER NOT NULL,
  last_seen_at INTEGER NOT NULL,
  ended_at     INTEGER
);
-- "Log out everywhere" and disabling a user end every open session of one user.
CREATE INDEX sessions_user ON sessions (user_id) WHERE ended_at IS NULL;

CREATE TABLE invitations (
  token_hash TEXT    PRIMARY KEY,
  user_id    TEXT    NOT NULL REFERENCES users(id),
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,
  used_at    INTEGER
);

ALTER TABLE displays ADD COLUMN provinces TEXT NOT NULL DEFAULT '[]';
