-- Equipment: a tenant's assets, their activity (operating hours, positions, events) and the
-- shares that let a customer's recipients see an asset and its activity for a time window.
-- Times are milliseconds since the Unix epoch (UTC), as everywhere.

-- Assets name their business unit through (tenant_id, customer_id, business_unit_id), so the
-- unit is always one of the asset's customer's units, of the same tenant. A foreign key needs
-- a unique index on the columns it points at; 0001 has none over these, so it is added here.
CREATE UNIQUE INDEX business_units_tenant_customer ON business_units(tenant_id, customer_id, id);

CREATE TABLE assets (
  id               TEXT PRIMARY KEY,
  tenant_id        TEXT NOT NULL REFERENCES tenants(id),
  asset_key        TEXT NOT NULL,   -- the provider's own id of the asset: what the API addresses
  name             TEXT NOT NULL,
  serial_number    TEXT,
  make             TEXT,
  model            TEXT,
  asset_type       TEXT,
  -- The owner side: a customer and optionally one of its business units. A unit still
  -- holding assets cannot be deleted (nor its customer), rather than the asset silently
  -- losing its owner: SET NULL would null tenant_id too.
  customer_id      TEXT,
  business_unit_id TEXT,
  photo_key        TEXT,            -- R2 object key
  photo_type       TEXT,            -- image/png, image/jpeg or image/webp
  created_at       INTEGER NOT NULL,
  updated_at       INTEGER NOT NULL,
  UNIQUE (tenant_id, asset_key),
  UNIQUE (tenant_id, id),
  FOREIGN KEY (tenant_id, customer_id) REFERENCES customers(tenant_id, id),
  FOREIGN KEY (tenant_id, customer_id, business_unit_id) REFERENCES business_units(tenant_id, customer_id, id),
  CHECK (business_unit_id IS NULL OR customer_id IS NOT NULL),
  CHECK ((photo_key IS NULL) = (photo_type IS NULL))
);
CREATE INDEX assets_customer ON assets(tenant_id, customer_id, business_unit_id);
CREATE INDEX assets_unit ON assets(business_unit_id);

-- Activity of an asset. The clustered key (asset_id, at, event_id) keeps one asset's rows in
-- time order in one b-tree (WITHOUT ROWID), so a time-range report is one range scan with no
-- second lookup per row; a year of hourly rows is 8,760 adjacent entries. event_id is the
-- sender's idempotency key: unique per asset (asset ids are unique across tenants, and the
-- foreign key ties the asset to tenant_id), so a batch sent twice adds nothing the second time.
-- Numbers are integers, exact and compact: operating hours in thousandths of an hour, positions
-- in 1e-7 degrees (about a centimetre).
CREATE TABLE asset_activity (
  tenant_id   TEXT NOT NULL,
  asset_id    TEXT NOT NULL,
  at          INTEGER NOT NULL,
  event_id    TEXT NOT NULL,
  kind        TEXT NOT NULL CHECK (kind IN ('hours', 'position', 'start', 'stop', 'alert')),
  hours_milli INTEGER,
  lat_e7      INTEGER,
  lon_e7      INTEGER,
  message     TEXT,
  received_at INTEGER NOT NULL,
  PRIMARY KEY (asset_id, at, event_id),
  UNIQUE (asset_id, event_id),
  FOREIGN KEY (tenant_id, asset_id) REFERENCES assets(tenant_id, id) ON DELETE CASCADE,
  CHECK ((kind = 'hours') = (hours_milli IS NOT NULL) AND (hours_milli IS NULL OR hours_milli >= 0)),
  CHECK ((kind = 'position') = (lat_e7 IS NOT NULL AND lon_e7 IS NOT NULL)),
  CHECK (lat_e7 IS NULL OR lat_e7 BETWEEN -900000000 AND 900000000),
  CHECK (lon_e7 IS NULL OR lon_e7 BETWEEN -1800000000 AND 1800000000),
  CHECK ((kind = 'alert') = (message IS NOT NULL))
) WITHOUT ROWID;

-- An asset shown to a customer's recipients from from_at, until until_at (exclusive) or for
-- good. Several shares of one asset with one customer add up (their windows are a union).
CREATE TABLE asset_shares (
  id          TEXT PRIMARY KEY,
  tenant_id   TEXT NOT NULL,
  asset_id    TEXT NOT NULL,
  customer_id TEXT NOT NULL,
  from_at     INTEGER NOT NULL,
  until_at    INTEGER,
  created_at  INTEGER NOT NULL,
  FOREIGN KEY (tenant_id, asset_id) REFERENCES assets(tenant_id, id) ON DELETE CASCADE,
  FOREIGN KEY (tenant_id, customer_id) REFERENCES customers(tenant_id, id) ON DELETE CASCADE,
  CHECK (until_at IS NULL OR until_at > from_at)
);
CREATE INDEX asset_shares_customer ON asset_shares(tenant_id, customer_id, asset_id);
CREATE INDEX asset_shares_asset ON asset_shares(asset_id);
