-- Settings that keep their promise (issue 15, README "Tenants" and "Templates").

-- A tenant may require one portal per customer (Trackunit's rule): while on, every portal of
-- the tenant is for one customer, and no customer has two. The API checks first to name the
-- field and the customers; these triggers keep the rule when two writes race, since D1 has no
-- interactive transactions and a partial unique index cannot read the tenant's setting. The
-- message ends in "constraint failed" so both SQLite and D1 report it as a constraint.
ALTER TABLE tenants ADD COLUMN one_portal_per_customer INTEGER NOT NULL DEFAULT 0
  CHECK (one_portal_per_customer IN (0, 1));

CREATE TRIGGER portals_one_per_customer_insert BEFORE INSERT ON portals
WHEN (SELECT one_portal_per_customer FROM tenants WHERE id = NEW.tenant_id) = 1
  AND (NEW.customer_id IS NULL
       OR EXISTS (SELECT 1 FROM portals WHERE tenant_id = NEW.tenant_id AND customer_id = NEW.customer_id))
BEGIN
  SELECT RAISE(ABORT, 'one_portal_per_customer constraint failed');
END;

CREATE TRIGGER portals_one_per_customer_update BEFORE UPDATE OF customer_id ON portals
WHEN (SELECT one_portal_per_customer FROM tenants WHERE id = NEW.tenant_id) = 1
  AND (NEW.customer_id IS NULL
       OR EXISTS (SELECT 1 FROM portals
                  WHERE tenant_id = NEW.tenant_id AND customer_id = NEW.customer_id AND id <> NEW.id))
BEGIN
  SELECT RAISE(ABORT, 'one_portal_per_customer constraint failed');
END;

CREATE TRIGGER tenants_one_portal_per_customer BEFORE UPDATE OF one_portal_per_customer ON tenants
WHEN NEW.one_portal_per_customer = 1 AND OLD.one_portal_per_customer = 0
  AND EXISTS (SELECT 1 FROM portals WHERE tenant_id = NEW.id
              GROUP BY customer_id HAVING customer_id IS NULL OR COUNT(*) > 1)
BEGIN
  SELECT RAISE(ABORT, 'one_portal_per_customer constraint failed');
END;

-- A set-up's own links in the navigation (porch_types::nav_links): a JSON array of
-- {"url", "labels": {"en", "da", "nb"}}, NULL for none. A template's version carries them like
-- its navigation, and linked portals get a copy with every change.
ALTER TABLE portals ADD COLUMN nav_links_json TEXT;
ALTER TABLE template_versions ADD COLUMN nav_links_json TEXT;
