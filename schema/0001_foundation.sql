-- porch foundation: tenants, API keys, customers and business units, themes, portals,
-- domains and the audit log. Later migrations add tables; they do not rewrite these.
-- Times are integers: milliseconds since the Unix epoch (UTC). Ids are UUID text.
-- Tenant-owned rows carry tenant_id, and references between them go through
-- (tenant_id, id) pairs where both sides belong to one tenant, so a row of one tenant can
-- never point at another tenant's row, whatever the code above does.

CREATE TABLE tenants (
  id          TEXT PRIMARY KEY,
  slug        TEXT NOT NULL UNIQUE,
  name        TEXT NOT NULL,
  parent_id   TEXT REFERENCES tenants(id),
  created_at  INTEGER NOT NULL,
  updated_at  INTEGER NOT NULL,
  CHECK (parent_id IS NULL OR parent_id <> id)
);
CREATE INDEX tenants_parent ON tenants(parent_id);

-- Tenant API keys: only a SHA-256 of the secret is kept; the secret is shown once.
CREATE TABLE api_keys (
  id           TEXT PRIMARY KEY,
  tenant_id    TEXT NOT NULL REFERENCES tenants(id),
  name         TEXT NOT NULL,
  prefix       TEXT NOT NULL,          -- first characters of the key, to recognise it in lists
  secret_hash  TEXT NOT NULL UNIQUE,   -- hex SHA-256 of the whole key
  created_at   INTEGER NOT NULL,
  last_used_at INTEGER,
  revoked_at   INTEGER
);
CREATE INDEX api_keys_tenant ON api_keys(tenant_id);

CREATE TABLE customers (
  id          TEXT PRIMARY KEY,
  tenant_id   TEXT NOT NULL REFERENCES tenants(id),
  name        TEXT NOT NULL,
  created_at  INTEGER NOT NULL,
  updated_at  INTEGER NOT NULL,
  UNIQUE (tenant_id, id),
  UNIQUE (tenant_id, name)
);

CREATE TABLE business_units (
  id          TEXT PRIMARY KEY,
  tenant_id   TEXT NOT NULL,
  customer_id TEXT NOT NULL,
  name        TEXT NOT NULL,
  created_at  INTEGER NOT NULL,
  FOREIGN KEY (tenant_id, customer_id) REFERENCES customers(tenant_id, id) ON DELETE CASCADE,
  UNIQUE (customer_id, name)
);

-- A theme belongs to one tenant; portals of that tenant and of its child tenants may use it.
CREATE TABLE themes (
  id                 TEXT PRIMARY KEY,
  tenant_id          TEXT NOT NULL REFERENCES tenants(id),
  name               TEXT NOT NULL,
  primary_color      TEXT NOT NULL,
  menu_color         TEXT NOT NULL,
  notification_color TEXT NOT NULL,
  background_color   TEXT NOT NULL,
  text_color         TEXT NOT NULL,
  logo_small_key     TEXT,   -- R2 object key
  logo_small_type    TEXT,   -- image/png or image/svg+xml
  logo_large_key     TEXT,
  logo_large_type    TEXT,
  version            INTEGER NOT NULL DEFAULT 1,  -- bumped on every change: cache busting
  created_at         INTEGER NOT NULL,
  updated_at         INTEGER NOT NULL,
  UNIQUE (tenant_id, name)
);

-- customer_id NULL: one portal shared by all of the tenant's customers (each user belongs
-- to a customer); otherwise the portal of that one customer.
CREATE TABLE portals (
  id               TEXT PRIMARY KEY,
  tenant_id        TEXT NOT NULL REFERENCES tenants(id),
  slug             TEXT NOT NULL UNIQUE,   -- also the platform subdomain label
  name             TEXT NOT NULL,
  page_title       TEXT NOT NULL,
  default_language TEXT NOT NULL CHECK (default_language IN ('en', 'da', 'nb')),
  customer_id      TEXT,
  theme_id         TEXT REFERENCES themes(id),
  enabled          INTEGER NOT NULL DEFAULT 1 CHECK (enabled IN (0, 1)),
  created_at       INTEGER NOT NULL,
  updated_at       INTEGER NOT NULL,
  FOREIGN KEY (tenant_id, customer_id) REFERENCES customers(tenant_id, id),
  UNIQUE (tenant_id, id)
);
CREATE INDEX portals_tenant ON portals(tenant_id);
CREATE INDEX portals_theme ON portals(theme_id);

-- Custom domains. A hostname names exactly one portal (primary key).
CREATE TABLE domains (
  hostname           TEXT PRIMARY KEY,
  tenant_id          TEXT NOT NULL,
  portal_id          TEXT NOT NULL,
  status             TEXT NOT NULL CHECK (status IN ('pending', 'active', 'failed')),
  verification_token TEXT NOT NULL,
  verified_at        INTEGER,
  last_checked_at    INTEGER,
  last_error         TEXT,
  created_at         INTEGER NOT NULL,
  FOREIGN KEY (tenant_id, portal_id) REFERENCES portals(tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX domains_portal ON domains(portal_id);

-- Every change made through the admin API. tenant_id NULL for platform-level actions.
CREATE TABLE audit_log (
  seq         INTEGER PRIMARY KEY AUTOINCREMENT,
  tenant_id   TEXT,
  actor       TEXT NOT NULL,   -- "platform" or "key:<api key id>"
  action      TEXT NOT NULL,   -- e.g. "portal.update"
  target_type TEXT NOT NULL,
  target_id   TEXT NOT NULL,
  at          INTEGER NOT NULL,
  before_json TEXT,
  after_json  TEXT
);
CREATE INDEX audit_log_tenant ON audit_log(tenant_id, seq);
