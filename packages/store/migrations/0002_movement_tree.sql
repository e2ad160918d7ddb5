-- carewatch store, schema 2: bounded cost per event in any order (issue: the core path).
-- A late movement used to rescan every movement since the unit's census; the census rule now
-- reads a summary tree of each unit's movements (domain movement-tree.ts), one row per node.
-- Projections change shape, so the store replays the log into them after this migration: the
-- request is recorded here, in the migration's own transaction, and cleared by the replay's, so
-- a crash between the two replays at the next start.

CREATE TABLE movement_nodes (
  facility_id TEXT    NOT NULL,
  unit        TEXT    NOT NULL,  -- '' for a facility without units
  level       INTEGER NOT NULL,  -- 0 = instants within 4 s … 6 = the root
  idx         INTEGER NOT NULL,  -- floor(instant / span of the level); 0 for the root
  entries     BLOB    NOT NULL,  -- Float64 triples (key, sum, min) in key order
  PRIMARY KEY (facility_id, unit, level, idx)
) WITHOUT ROWID;

-- The span after the census now comes from the tree: the O(1) fast-path columns go.
ALTER TABLE unit_state DROP COLUMN low_before_last;
ALTER TABLE unit_state DROP COLUMN last_move_at;

-- The latest census at or before an instant (trends, "as of") without walking the movements.
CREATE INDEX events_census ON events (facility_id, unit, occurred_at_ms, event_id) WHERE type = 'census';

CREATE TABLE store_meta (
  key   TEXT PRIMARY KEY,
  value TEXT NOT NULL
);
INSERT INTO store_meta (key, value) VALUES ('projections_need_rebuild', '0002');
