-- Plans and apps. A tenant's plan is the set of apps (features, paid add-ons) the platform
-- operator sold it; a portal offers a subset of its tenant's plan. Both are sets of rows,
-- not JSON, so the subset rule is a foreign key: a portal cannot be given an app outside
-- the plan, and an app cannot leave the plan while a portal offers it, whatever the caller
-- checked first (the API names the portals before the key has to refuse).
-- Same conventions as 0001: times in ms since the epoch, UUID text ids.

-- The app codes are `domain::apps::App`; the CHECK keeps the table to that catalogue.
CREATE TABLE tenant_plan_apps (
  tenant_id  TEXT NOT NULL REFERENCES tenants(id),
  app        TEXT NOT NULL
             CHECK (app IN ('tickets', 'support_form', 'equipment', 'activity', 'reports', 'documents')),
  PRIMARY KEY (tenant_id, app)
);

CREATE TABLE portal_apps (
  tenant_id  TEXT NOT NULL,
  portal_id  TEXT NOT NULL,
  app        TEXT NOT NULL,
  PRIMARY KEY (tenant_id, portal_id, app),
  FOREIGN KEY (tenant_id, portal_id) REFERENCES portals(tenant_id, id) ON DELETE CASCADE,
  -- No ON DELETE action: removing an app from a plan fails while a portal offers it.
  FOREIGN KEY (tenant_id, app) REFERENCES tenant_plan_apps(tenant_id, app)
);
-- Serves the foreign key check when an app leaves a plan, and "which portals use it".
CREATE INDEX portal_apps_by_app ON portal_apps(tenant_id, app);

-- Existing tenants keep everything working: their plan is the whole catalogue...
-- (A VALUES list, not UNION ALL: D1 allows at most 5 terms in a compound SELECT.)
INSERT INTO tenant_plan_apps (tenant_id, app)
SELECT t.id, a.column1 FROM tenants t,
  (VALUES ('tickets'), ('support_form'), ('equipment'), ('activity'), ('reports'), ('documents')) a;

-- ...and existing portals offer what every portal offered until now: the ticket pages and
-- the support form.
INSERT INTO portal_apps (tenant_id, portal_id, app)
SELECT p.tenant_id, p.id, a.column1 FROM portals p, (VALUES ('tickets'), ('support_form')) a;
