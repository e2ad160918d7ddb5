-- carewatch store on PostgreSQL, schema 3: plan targets (issue 8), mirroring the "Plan targets"
-- section of the SQLite migrations/0005_managers.sql.
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
  updated_at BIGINT  NOT NULL       -- ms
);
CREATE TABLE targets (
  id         TEXT    PRIMARY KEY,
  plan_id    TEXT    NOT NULL REFERENCES target_plans(id),
  year       INTEGER NOT NULL,
  -- The target as TargetSchema's JSON (kind, value, facilities, texts). TEXT, not JSONB: an
  -- import compares the stored text with the new one to tell "unchanged" from "updated", and
  -- JSONB would reorder keys.
  definition TEXT    NOT NULL,
  position   INTEGER NOT NULL,      -- order within its plan
  updated_at BIGINT  NOT NULL       -- ms
);
CREATE INDEX targets_year ON targets (year, plan_id, position);
CREATE TABLE target_assessments (
  -- Order of recording among assessments of the same day and instant (as SQLite's rowid).
  id          BIGINT  GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  target_id   TEXT    NOT NULL REFERENCES targets(id),
  day         TEXT    NOT NULL,     -- 'YYYY-MM-DD', the local day it describes
  value       DOUBLE PRECISION NOT NULL,
  note        TEXT    NOT NULL,
  recorded_by TEXT    NOT NULL,     -- a user's email, or "cw"
  recorded_at BIGINT  NOT NULL      -- ms
);
CREATE INDEX target_assessments_target ON target_assessments (target_id, day);
