-- carewatch store, schema 4: the audit log of administrative changes (issue 7): who changed
-- which account, key or display, when, and what it was before and after. Append-only; like
-- keys and displays it is not a projection of the event log, so `rebuild` leaves it alone.
-- before/after are JSON and never hold a secret, password hash or token.

CREATE TABLE audit (
  id          INTEGER PRIMARY KEY,
  at          INTEGER NOT NULL,
  actor_kind  TEXT    NOT NULL,                     -- "user", "cli", …
  actor_id    TEXT    NOT NULL,                     -- the user id, or "cw"
  actor_email TEXT,
  action      TEXT    NOT NULL,                     -- e.g. "users.invite", "keys.revoke"
  target      TEXT    NOT NULL,                     -- what was changed: an email, a key id, a display id
  before      TEXT,
  after       TEXT
);
CREATE INDEX audit_at ON audit (at);
