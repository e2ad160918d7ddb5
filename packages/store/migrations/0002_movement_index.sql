-- carewatch store, schema 2: bounded cost per event in any order (issue: the core path).
-- A late movement used to rescan every movement since the unit's census; the census rule now
-- reads each unit's movements through an index the writer keeps in memory (domain span-index.ts),
-- fed from the log. Nothing new is stored per movement: a row per movement in time order would
-- be a random page write per late event, which at synchronous=FULL costs more than the event.
-- Projections change shape, so the store replays the log into them after this migration: the
-- request is recorded here, in the migration's own transaction, and cleared by the replay's, so
-- a crash between the two replays at the next start.

-- The span after the census now comes from that index: the O(1) fast-path columns go.
ALTER TABLE unit_state DROP COLUMN low_before_last;
ALTER TABLE unit_state DROP COLUMN last_move_at;

-- The latest census at or before an instant (trends, "as of") without walking the movements.
CREATE INDEX events_census ON events (facility_id, unit, occurred_at_ms, event_id) WHERE type = 'census';
-- Sums of movements over time now come from the in-memory index too: this index over every
-- event's instant cost a random page write per late event (measured: 200,000 → 25,000 rows/s).
DROP INDEX events_unit_time;

CREATE TABLE store_meta (
  key   TEXT PRIMARY KEY,
  value TEXT NOT NULL
);
INSERT INTO store_meta (key, value) VALUES ('projections_need_rebuild', '0002');
