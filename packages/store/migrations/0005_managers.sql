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
