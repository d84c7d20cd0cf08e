-- Documents: files (manuals, certificates, invoices, ...) a provider uploads for a customer
-- or for an asset, for the recipients to list and download. The file is in R2 (r2_key);
-- the row is the only way to it. Times are milliseconds since the Unix epoch (UTC).
--
-- No ON DELETE CASCADE to customers or assets: a cascade would drop the rows and leave their
-- R2 objects behind with nothing naming them. Deleting a customer or an asset that still has
-- documents is refused (the API says how many), so they are deleted first, objects included.
CREATE TABLE documents (
  id           TEXT PRIMARY KEY,
  tenant_id    TEXT NOT NULL REFERENCES tenants(id),
  customer_id  TEXT,
  asset_id     TEXT,
  title        TEXT NOT NULL,
  category     TEXT NOT NULL CHECK (category IN ('manual', 'certificate', 'invoice', 'report', 'other')),
  filename     TEXT NOT NULL,
  content_type TEXT NOT NULL,
  size         INTEGER NOT NULL CHECK (size > 0),
  r2_key       TEXT NOT NULL UNIQUE,
  created_at   INTEGER NOT NULL,
  updated_at   INTEGER NOT NULL,
  FOREIGN KEY (tenant_id, customer_id) REFERENCES customers(tenant_id, id),
  FOREIGN KEY (tenant_id, asset_id) REFERENCES assets(tenant_id, id),
  -- Exactly one owner: a customer's document, or an asset's (seen by whoever the asset is
  -- shared with at the time).
  CHECK ((customer_id IS NULL) <> (asset_id IS NULL))
);
-- The recipients' and the API's lists, newest first (keyset on created_at, id).
CREATE INDEX documents_customer ON documents(tenant_id, customer_id, created_at DESC, id DESC);
CREATE INDEX documents_asset ON documents(tenant_id, asset_id, created_at DESC, id DESC);
CREATE INDEX documents_tenant ON documents(tenant_id, created_at DESC, id DESC);
