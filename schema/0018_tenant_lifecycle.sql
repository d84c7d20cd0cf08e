-- A tenant can leave, and its data can be taken out (README "Leaving: deletion and export").

-- One row per tenant being erased, kept once the erasure is done as the record that it was
-- (who asked, when, when it finished, how much went). No foreign key: it outlives the tenant
-- row on purpose, and it holds nothing of the tenant but its id. While a row exists with no
-- finished_at, the tenant's portals resolve to nothing and the API treats it as missing.
CREATE TABLE tenant_deletions (
  tenant_id    TEXT PRIMARY KEY,
  requested_by TEXT NOT NULL,            -- audit actor label
  requested_at INTEGER NOT NULL,
  step         INTEGER NOT NULL DEFAULT 0,  -- where the scheduled erasure has got to (app::lifecycle)
  removed      INTEGER NOT NULL DEFAULT 0,  -- rows, objects and hostnames removed so far
  runs         INTEGER NOT NULL DEFAULT 0,
  last_error   TEXT,
  finished_at  INTEGER
);
CREATE INDEX tenant_deletions_open ON tenant_deletions(finished_at, requested_at);

-- A tenant's export: NDJSON parts written to R2 by the scheduled run, one page per part.
CREATE TABLE tenant_exports (
  id           TEXT PRIMARY KEY,
  tenant_id    TEXT NOT NULL REFERENCES tenants(id),
  requested_by TEXT NOT NULL,
  requested_at INTEGER NOT NULL,
  step         INTEGER NOT NULL DEFAULT 0,  -- the table being written
  cursor       TEXT,                        -- JSON key of the last row written in it
  parts        INTEGER NOT NULL DEFAULT 0,  -- parts recorded so far (records and files)
  records      INTEGER NOT NULL DEFAULT 0,
  last_error   TEXT,
  finished_at  INTEGER,
  UNIQUE (tenant_id, id)
);
CREATE INDEX tenant_exports_open ON tenant_exports(finished_at, requested_at);

-- What an export is made of: NDJSON record parts it wrote, and the tenant's files by key.
CREATE TABLE tenant_export_parts (
  tenant_id    TEXT NOT NULL,
  export_id    TEXT NOT NULL,
  number       INTEGER NOT NULL,
  kind         TEXT NOT NULL CHECK (kind IN ('records', 'file')),
  r2_key       TEXT NOT NULL,
  content_type TEXT NOT NULL,
  source       TEXT NOT NULL,               -- the table of a records part; the row's table.column of a file
  PRIMARY KEY (tenant_id, export_id, number),
  FOREIGN KEY (tenant_id, export_id) REFERENCES tenant_exports(tenant_id, id) ON DELETE CASCADE
);
