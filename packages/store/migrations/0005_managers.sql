-- carewatch store, schema 5: what the admins edit and the managers read (issues 7 and 8).
-- Sections per capability; each says whether it is a projection of the event log (rebuilt by
-- `rebuild`) or state of its own (registry, targets: never touched by `rebuild`).

-- ── Facility registry, versioned (issue 7) ────────────────────────────────────────────────
-- Each change to the registry is a new version (the whole document, RegistrySchema's JSON), in
-- force for instants at or after effective_from (ms). The current registry is the last
-- version; the registry at an instant t is the last version (by number) in force at t, or the
-- first one before any. Past events are never rewritten: a version only changes what later
-- reads compute (capacity, thresholds, names, reporting interval, new facilities or units).
-- Seeded at the first start from the bundled registry or CAREWATCH_FACILITIES.
CREATE TABLE registry_versions (
  version        INTEGER PRIMARY KEY,
  effective_from INTEGER NOT NULL,
  document       TEXT    NOT NULL,
  created_at     INTEGER NOT NULL,
  created_by     TEXT    NOT NULL      -- "seed", a user's email, or "cw"
);

-- ── History and as of (issue 8) ───────────────────────────────────────────────────────────
-- A projection (rebuilt by `rebuild`): every stored referral event, one row each, so a referral's
-- timeline and the referrals open at a past instant are read without the log. A repeated status
-- changes nothing now (domain referralMove) and is kept with moved = 0: as of an earlier instant
-- it can be the referral's first event (the status then is that of its latest-seq event).
CREATE TABLE referral_steps (
  facility_id TEXT    NOT NULL,
  referral_id TEXT    NOT NULL,
  status      TEXT    NOT NULL,
  destination TEXT    NOT NULL,
  urgency     TEXT,               -- as sent with this move (NULL when the move did not say)
  at          INTEGER NOT NULL,   -- occurred_at_ms of the move
  event_id    TEXT    NOT NULL,
  seq         INTEGER NOT NULL,
  moved       INTEGER NOT NULL,   -- 1: a real move; 0: the same status again
  PRIMARY KEY (facility_id, referral_id, at, event_id)
);
-- The events behind a chart point and the counts within a partial hour (as of) are found
-- through an in-memory index fed from the log (event-times.ts), not an index on events: that one,
-- (facility_id, occurred_at_ms), cost a random page write per late event and halved shuffled
-- batch ingest when measured (62,000 → 22,000 events/s).
-- The capacity a census set, in force at a past instant (history per bucket, as of): only the
-- censuses that carry one are in it, so a write only for those, and each lookup is one seek.
CREATE INDEX events_capacity ON events (facility_id, unit, occurred_at_ms, event_id)
  WHERE type = 'census' AND json_extract(body, '$.capacity') IS NOT NULL;
-- referral_steps is new: replay the log into it (as 0002 does; cleared by the replay).
INSERT INTO store_meta (key, value) VALUES ('projections_need_rebuild', '0005')
  ON CONFLICT (key) DO UPDATE SET value = excluded.value;

-- ── Plan targets (issue 8) ────────────────────────────────────────────────────────────────
-- State of its own, never touched by `rebuild`: the current definitions of the plans and their
-- targets (imported from a targets document, editable by an admin; each change audited), and
-- the assessments managers set. Actual, pace and projection are not stored: the domain computes
-- them from the rollups and the log's occupied figures at read time.
CREATE TABLE target_plans (
  id         TEXT    PRIMARY KEY,
  province   TEXT    NOT NULL,
  title      TEXT    NOT NULL,
  source     TEXT    NOT NULL,      -- "published" | "illustrative"
  position   INTEGER NOT NULL,      -- order of the last import
  updated_at INTEGER NOT NULL
);
CREATE TABLE targets (
  id         TEXT    PRIMARY KEY,
  plan_id    TEXT    NOT NULL REFERENCES target_plans(id),
  year       INTEGER NOT NULL,
  definition TEXT    NOT NULL,      -- the target as TargetSchema's JSON (kind, value, facilities, texts)
  position   INTEGER NOT NULL,      -- order within its plan
  updated_at INTEGER NOT NULL
);
CREATE INDEX targets_year ON targets (year, plan_id, position);
CREATE TABLE target_assessments (
  id          INTEGER PRIMARY KEY,
  target_id   TEXT    NOT NULL REFERENCES targets(id),
  day         TEXT    NOT NULL,     -- 'YYYY-MM-DD', the local day it describes
  value       REAL    NOT NULL,
  note        TEXT    NOT NULL,
  recorded_by TEXT    NOT NULL,     -- a user's email, or "cw"
  recorded_at INTEGER NOT NULL
);
CREATE INDEX target_assessments_target ON target_assessments (target_id, day);
