-- carewatch store on PostgreSQL, schema 1: the log and its projections. Never edit this file
-- after release: add a new numbered file instead. Mirrors the SQLite migrations 0001 + 0002 and
-- the referral_steps part of 0005 (packages/store/migrations), with the same keys and meaning.
-- Instants are epoch ms (BIGINT); ids are TEXT.
-- `events` is the source of truth (an append-only log); every table here except `facilities`
-- and `store_meta` is a projection of it and can be recomputed with `rebuild`.

CREATE TABLE facilities (
  id     TEXT PRIMARY KEY,
  -- The registry entry as loaded (JSON), refreshed at every open.
  config TEXT NOT NULL
);

CREATE TABLE events (
  -- max+1, assigned under the append's advisory lock: gap-free and in commit order (pg-append.ts).
  seq            BIGINT  PRIMARY KEY,
  facility_id    TEXT    NOT NULL REFERENCES facilities(id),
  event_id       TEXT    NOT NULL,
  type           TEXT    NOT NULL,
  unit           TEXT,                              -- NULL when the event has no unit
  occurred_at    TEXT    NOT NULL,                  -- as sent (keeps the sender's offset)
  occurred_at_ms BIGINT  NOT NULL,
  received_at_ms BIGINT  NOT NULL,
  -- Signed head-count change (domain `movement`).
  delta          INTEGER NOT NULL DEFAULT 0,
  -- domain canonicalEvent(event), byte for byte (TEXT, not JSONB: a duplicate is the same text).
  body           TEXT    NOT NULL,
  UNIQUE (facility_id, event_id)
);
-- The latest census at or before an instant (trends, "as of") without walking the movements.
CREATE INDEX events_census ON events (facility_id, unit, occurred_at_ms, event_id) WHERE type = 'census';
-- The capacity a census set, in force at a past instant: only the censuses that carry one.
-- (Queries must repeat the predicate to use it: `type = 'census' AND (body::jsonb ->> 'capacity') IS NOT NULL`.)
CREATE INDEX events_capacity ON events (facility_id, unit, occurred_at_ms, event_id)
  WHERE type = 'census' AND (body::jsonb ->> 'capacity') IS NOT NULL;

-- Projection tables declare their keys inline (no separate indexes) so that `rebuild` can make
-- fresh copies of them (CREATE TABLE ... (LIKE ... INCLUDING ALL)).

CREATE TABLE unit_state (
  facility_id     TEXT    NOT NULL,
  unit            TEXT    NOT NULL,   -- '' for a facility without units
  census_at       BIGINT,
  census_event_id TEXT,
  census_occupied INTEGER,
  net_after       INTEGER NOT NULL DEFAULT 0,
  low_water       INTEGER NOT NULL DEFAULT 0, -- lowest running total after the census (inconsistent flag)
  cap_at          BIGINT,
  cap_event_id    TEXT,
  cap_value       INTEGER,
  PRIMARY KEY (facility_id, unit)
);

CREATE TABLE facility_state (
  facility_id      TEXT    PRIMARY KEY,
  last_received_at BIGINT  NOT NULL,
  last_seq         BIGINT  NOT NULL
);

CREATE TABLE referrals (
  facility_id  TEXT    NOT NULL,
  referral_id  TEXT    NOT NULL,
  status       TEXT    NOT NULL,
  destination  TEXT    NOT NULL,
  urgency      TEXT,
  opened_at    BIGINT  NOT NULL,   -- occurred_at_ms of the first event of the referral
  updated_at   BIGINT  NOT NULL,   -- occurred_at_ms of the latest move
  updated_seq  BIGINT  NOT NULL,
  PRIMARY KEY (facility_id, referral_id)
);

-- Every stored referral event, one row each (issue 8): a repeated status changes nothing now
-- (domain referralMove) and is kept with moved = 0.
CREATE TABLE referral_steps (
  facility_id TEXT    NOT NULL,
  referral_id TEXT    NOT NULL,
  status      TEXT    NOT NULL,
  destination TEXT    NOT NULL,
  urgency     TEXT,               -- as sent with this move (NULL when the move did not say)
  at          BIGINT  NOT NULL,   -- occurred_at_ms of the move
  event_id    TEXT    NOT NULL,
  seq         BIGINT  NOT NULL,
  moved       INTEGER NOT NULL,   -- 1: a real move; 0: the same status again
  PRIMARY KEY (facility_id, referral_id, at, event_id)
);

-- Counts per local clock hour / local calendar day of occurred_at, in the facility's time zone.
-- metric: 'admissions' | 'discharges' | 'treatment:<category>' | 'referral:<status>'
CREATE TABLE rollup_hourly (
  facility_id   TEXT    NOT NULL,
  hour_start_ms BIGINT  NOT NULL,
  metric        TEXT    NOT NULL,
  value         BIGINT  NOT NULL,
  PRIMARY KEY (facility_id, hour_start_ms, metric)
);

CREATE TABLE rollup_daily (
  facility_id TEXT    NOT NULL,
  day         TEXT    NOT NULL,   -- 'YYYY-MM-DD' local
  metric      TEXT    NOT NULL,
  value       BIGINT  NOT NULL,
  PRIMARY KEY (facility_id, day, metric)
);

CREATE TABLE store_meta (
  key   TEXT PRIMARY KEY,
  value TEXT NOT NULL
);
