-- Sustained-rate-plus-burst limits of the admin API (GCRA, the generic cell rate algorithm):
-- one row per bucket holding its theoretical arrival time, moved by one UPSERT ... RETURNING
-- so every isolate sees the same count. The portal's fixed windows stay in rate_limits.
CREATE TABLE rate_buckets (
  bucket      TEXT PRIMARY KEY, -- e.g. "address:203.0.113.9", "key:<hash>", "uploads:key:<hash>"
  tat         INTEGER NOT NULL, -- ms: when the bucket is full again (at or before now: full)
  interval_ms INTEGER NOT NULL, -- one request comes back every interval (the sustained rate)
  capacity_ms INTEGER NOT NULL, -- burst x interval: how far ahead of now tat may be
  allowed     INTEGER NOT NULL  -- whether the last request fitted (1) or was refused (0)
);
-- Housekeeping deletes full buckets (a row whose tat has passed means as much as no row).
CREATE INDEX rate_buckets_tat ON rate_buckets(tat);
