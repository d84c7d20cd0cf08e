-- Templates: a reusable portal set-up (apps, theme, start page, navigation) that linked
-- portals follow. (Numbered 0010: 0009 is another change's.) Same conventions as 0001:
-- times in ms since the epoch, UUID text ids.

CREATE TABLE templates (
  id              TEXT PRIMARY KEY,
  tenant_id       TEXT NOT NULL REFERENCES tenants(id),
  name            TEXT NOT NULL,
  description     TEXT NOT NULL DEFAULT '',
  is_default      INTEGER NOT NULL DEFAULT 0 CHECK (is_default IN (0, 1)),
  -- The version linked portals carry; every change of the set-up adds one.
  current_version INTEGER NOT NULL,
  created_at      INTEGER NOT NULL,
  updated_at      INTEGER NOT NULL,
  UNIQUE (tenant_id, name),
  UNIQUE (tenant_id, id)
);
-- At most one default per tenant, whatever two concurrent changes checked first.
CREATE UNIQUE INDEX templates_one_default ON templates(tenant_id) WHERE is_default = 1;

-- Each version of a template's set-up, never updated: a rollback adds a version equal to an
-- older one, so the history always says what portals carried when. theme_id has no foreign
-- key: an old version may name a theme deleted since (applying such a version is refused).
CREATE TABLE template_versions (
  tenant_id       TEXT NOT NULL,
  template_id     TEXT NOT NULL,
  version         INTEGER NOT NULL,
  apps_json       TEXT NOT NULL,            -- JSON array of app codes
  theme_id        TEXT,
  start_page      TEXT NOT NULL,            -- a path: '/', '/tickets', ...
  navigation_json TEXT NOT NULL,            -- JSON array of app codes, in menu order
  created_at      INTEGER NOT NULL,
  created_by      TEXT NOT NULL,            -- audit actor label
  PRIMARY KEY (tenant_id, template_id, version),
  FOREIGN KEY (tenant_id, template_id) REFERENCES templates(tenant_id, id) ON DELETE CASCADE
);

-- A portal's set-up: linked to a template (its apps, theme, start page and navigation are
-- copied from the template's current version, in the same batch as every template change)
-- or custom (template_id NULL). The foreign key refuses deleting a template still linked.
ALTER TABLE portals ADD COLUMN template_id TEXT REFERENCES templates(id);
-- NULL: the home page '/'.
ALTER TABLE portals ADD COLUMN start_page TEXT;
-- NULL: the portal's apps in catalogue order.
ALTER TABLE portals ADD COLUMN navigation_json TEXT;
CREATE INDEX portals_template ON portals(tenant_id, template_id);
