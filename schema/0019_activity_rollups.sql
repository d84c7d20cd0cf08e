-- Rollups of equipment activity: per asset, per time zone and per local day of that zone, the
-- sums a utilisation report needs (highest and lowest hours reading, counts of starts, stops
-- and alerts) and the first and last instant of the day's events. A report reads these rows
-- for the days wholly inside a share window, and raw readings only near the report's ends and
-- the windows' edges: a year by day reads about 365 rows instead of 8,760 readings.
--
-- Why local days per zone, and not hourly buckets in UTC: hourly buckets only help when an
-- asset reports more often than hourly (the bench's year of hourly readings is 8,760 buckets,
-- no fewer rows than readings); they cannot serve the zones whose offset is not whole hours
-- (porch's built-in table has Asia/Kolkata +05:30, Asia/Kathmandu +05:45, Australia/Adelaide
-- +09:30, America/St_Johns -03:30, Pacific/Chatham +12:45, and a fixed offset may be any minute),
-- and a day of a summer-time zone is 23 or 25 of them. A day row of the portal's own zone is
-- exactly the report's day whatever the offset. The price: a row per zone an asset is reported
-- in (an asset is shared with portals in different zones rarely, and portals sharing a zone
-- share its rows).
--
-- Which zones: `asset_rollup_zones` lists, per asset, the zones whose rollups are complete (a
-- row for every local day with events, each equal to the sums of that day's readings). New
-- assets get the zones of their tenant's portals; `scripts/rollups` rebuilds every asset's for
-- its tenant's portals' zones (existing data, a portal that changed its zone). A report in a
-- zone not listed reads raw readings, as before: slower, never wrong. The ingest recomputes,
-- in its own D1 batch, every touched day of every listed zone from the readings (after the
-- inserts, so duplicates and late or out-of-order readings change nothing but what they
-- should) and unlists any zone listed since it read the list, which it did not maintain.
-- A zone is written as the portal's: its IANA name, or minutes east of UTC (`60`).
-- The local day of a reading is (at + the zone's offset then) / 86,400,000, rounded down:
-- the arithmetic of the report's SQL, so a rollup day holds exactly the readings a report of
-- that zone buckets in it.
CREATE TABLE asset_rollup_zones (
  tenant_id TEXT NOT NULL,
  asset_id  TEXT NOT NULL,
  zone      TEXT NOT NULL CHECK (length(zone) BETWEEN 1 AND 64),
  PRIMARY KEY (tenant_id, asset_id, zone),
  FOREIGN KEY (tenant_id, asset_id) REFERENCES assets(tenant_id, id) ON DELETE CASCADE
);

CREATE TABLE asset_rollups (
  tenant_id TEXT NOT NULL,
  asset_id  TEXT NOT NULL,
  zone      TEXT NOT NULL,
  day       INTEGER NOT NULL,  -- local days since 1970-01-01 in `zone`
  first_at  INTEGER NOT NULL,  -- the day's first and last reading (ms): a day whose readings
  last_at   INTEGER NOT NULL,  -- all lie inside a share window may be read from its rollup
  hours_max INTEGER,
  hours_min INTEGER,
  starts    INTEGER NOT NULL,
  stops     INTEGER NOT NULL,
  alerts    INTEGER NOT NULL,
  PRIMARY KEY (tenant_id, asset_id, zone, day),
  FOREIGN KEY (tenant_id, asset_id) REFERENCES assets(tenant_id, id) ON DELETE CASCADE
);
