-- carewatch store, schema 1. Never edit this file after release: add 0002_*.sql instead.
-- `events` is the source of truth (an append-only log). Every other table except keys and
-- displays is a projection of it and can be recomputed with `rebuild`.

CREATE TABLE facilities (
  id     TEXT PRIMARY KEY,
  -- The registry entry as loaded (JSON), refreshed at every open.
  config TEXT NOT NULL
);

CREATE TABLE events (
  -- The rowid: max+1 at insert, so strictly increasing in commit order. Never reused because
  -- the log is append-only (no AUTOINCREMENT: its sqlite_sequence write per insert costs ~10%).
  seq            INTEGER PRIMARY KEY,
  facility_id    TEXT    NOT NULL REFERENCES facilities(id),
  event_id       TEXT    NOT NULL,
  type           TEXT    NOT NULL,
  unit           TEXT,                              -- NULL when the event has no unit
  occurred_at    TEXT    NOT NULL,                  -- as sent (keeps the sender's offset)
  occurred_at_ms INTEGER NOT NULL,
  received_at_ms INTEGER NOT NULL,
  -- Signed head-count change (domain `movement`): lets SQL sum movements without parsing JSON.
  delta          INTEGER NOT NULL DEFAULT 0,
  body           TEXT    NOT NULL,                  -- domain canonicalEvent(event)
  UNIQUE (facility_id, event_id)
);
-- Movement sums after a census and as-of (trend) queries, per facility and unit.
CREATE INDEX events_unit_time ON events (facility_id, unit, occurred_at_ms);

-- Projection tables declare their keys inline (no separate indexes) so that `rebuild` can copy
-- their DDL into fresh temporary tables verbatim.

CREATE TABLE unit_state (
  facility_id     TEXT    NOT NULL,
  unit            TEXT    NOT NULL,   -- '' for a facility without units
  census_at       INTEGER,
  census_event_id TEXT,
  census_occupied INTEGER,
  net_after       INTEGER NOT NULL DEFAULT 0,
  low_water       INTEGER NOT NULL DEFAULT 0, -- lowest running total after the census (inconsistent flag)
  low_before_last INTEGER NOT NULL DEFAULT 0,
  last_move_at    INTEGER,                    -- latest movement after the census
  cap_at          INTEGER,
  cap_event_id    TEXT,
  cap_value       INTEGER,
  PRIMARY KEY (facility_id, unit)
);

CREATE TABLE facility_state (
  facility_id      TEXT    PRIMARY KEY,
  last_received_at INTEGER NOT NULL,
  last_seq         INTEGER NOT NULL
);

CREATE TABLE referrals (
  facility_id  TEXT    NOT NULL,
  referral_id  TEXT    NOT NULL,
  status       TEXT    NOT NULL,
  destination  TEXT    NOT NULL,
  urgency      TEXT,
  opened_at    INTEGER NOT NULL,   -- occurred_at_ms of the first event of the referral
  updated_at   INTEGER NOT NULL,   -- occurred_at_ms of the latest move
  updated_seq  INTEGER NOT NULL,
  PRIMARY KEY (facility_id, referral_id)
);

-- Counts per local clock hour / local calendar day of occurred_at, in the facility's time zone.
-- metric: 'admissions' | 'discharges' | 'treatment:<category>' | 'referral:<status>'
CREATE TABLE rollup_hourly (
  facility_id   TEXT    NOT NULL,
  hour_start_ms INTEGER NOT NULL,
  metric        TEXT    NOT NULL,
  value         INTEGER NOT NULL,
  PRIMARY KEY (facility_id, hour_start_ms, metric)
);

CREATE TABLE rollup_daily (
  facility_id TEXT    NOT NULL,
  day         TEXT    NOT NULL,   -- 'YYYY-MM-DD' local
  metric      TEXT    NOT NULL,
  value       INTEGER NOT NULL,
  PRIMARY KEY (facility_id, day, metric)
);

-- Keys and tokens: only sha256 hashes are stored, never the secret itself.
CREATE TABLE api_keys (
  id           TEXT    PRIMARY KEY,
  facility_id  TEXT    NOT NULL REFERENCES facilities(id),
  key_hash     TEXT    NOT NULL UNIQUE,
  created_at   INTEGER NOT NULL,
  revoked_at   INTEGER,
  last_used_at INTEGER
);

CREATE TABLE displays (
  id         TEXT    PRIMARY KEY,
  name       TEXT    NOT NULL,
  token_hash TEXT    NOT NULL UNIQUE,
  created_at INTEGER NOT NULL,
  revoked_at INTEGER
);
