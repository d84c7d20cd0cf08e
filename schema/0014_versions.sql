-- Row versions for optimistic concurrency (the API's ETag / If-Match). Every mutable
-- resource's row carries `version`, 1 when made and one more after every change. A write
-- that must not undo a change it has not seen says `AND version = ?` in its own WHERE, so
-- the check and the write are one statement and a stale write changes no row.
--
-- The bump is a trigger, not a clause each UPDATE remembers: every write of the row moves
-- it, including those that change a row as a side effect (an inbox deleted releases the
-- portals that named it, a template change is copied to its portals). The WHEN clause leaves
-- a statement that sets the version itself (themes, below) alone, and keeps the trigger's own
-- UPDATE from firing it again. changes() after an UPDATE counts only the statement's own
-- rows, never the trigger's, so an audit entry written "if the statement just before it
-- changed a row" is unaffected.
--
-- themes already have `version` (bumped by each theme write for cache busting, same rule).

ALTER TABLE tenants ADD COLUMN version INTEGER NOT NULL DEFAULT 1;
ALTER TABLE customers ADD COLUMN version INTEGER NOT NULL DEFAULT 1;
ALTER TABLE portals ADD COLUMN version INTEGER NOT NULL DEFAULT 1;
ALTER TABLE accounts ADD COLUMN version INTEGER NOT NULL DEFAULT 1;
ALTER TABLE pipelines ADD COLUMN version INTEGER NOT NULL DEFAULT 1;
ALTER TABLE inboxes ADD COLUMN version INTEGER NOT NULL DEFAULT 1;
ALTER TABLE tickets ADD COLUMN version INTEGER NOT NULL DEFAULT 1;
ALTER TABLE webhooks ADD COLUMN version INTEGER NOT NULL DEFAULT 1;
ALTER TABLE sso_connections ADD COLUMN version INTEGER NOT NULL DEFAULT 1;
ALTER TABLE assets ADD COLUMN version INTEGER NOT NULL DEFAULT 1;
-- Not the template's `current_version` (its set-up's history, which linked portals carry):
-- this one moves on every change of the row, a rename too.
ALTER TABLE templates ADD COLUMN version INTEGER NOT NULL DEFAULT 1;
ALTER TABLE documents ADD COLUMN version INTEGER NOT NULL DEFAULT 1;

CREATE TRIGGER tenants_version AFTER UPDATE ON tenants WHEN NEW.version = OLD.version BEGIN
  UPDATE tenants SET version = OLD.version + 1 WHERE rowid = NEW.rowid;
END;
CREATE TRIGGER customers_version AFTER UPDATE ON customers WHEN NEW.version = OLD.version BEGIN
  UPDATE customers SET version = OLD.version + 1 WHERE rowid = NEW.rowid;
END;
CREATE TRIGGER themes_version AFTER UPDATE ON themes WHEN NEW.version = OLD.version BEGIN
  UPDATE themes SET version = OLD.version + 1 WHERE rowid = NEW.rowid;
END;
CREATE TRIGGER portals_version AFTER UPDATE ON portals WHEN NEW.version = OLD.version BEGIN
  UPDATE portals SET version = OLD.version + 1 WHERE rowid = NEW.rowid;
END;
CREATE TRIGGER accounts_version AFTER UPDATE ON accounts WHEN NEW.version = OLD.version BEGIN
  UPDATE accounts SET version = OLD.version + 1 WHERE rowid = NEW.rowid;
END;
CREATE TRIGGER pipelines_version AFTER UPDATE ON pipelines WHEN NEW.version = OLD.version BEGIN
  UPDATE pipelines SET version = OLD.version + 1 WHERE rowid = NEW.rowid;
END;
CREATE TRIGGER inboxes_version AFTER UPDATE ON inboxes WHEN NEW.version = OLD.version BEGIN
  UPDATE inboxes SET version = OLD.version + 1 WHERE rowid = NEW.rowid;
END;
-- A new ticket's search key is set by its own insert trigger (0005): that is no change.
CREATE TRIGGER tickets_version AFTER UPDATE ON tickets
WHEN NEW.version = OLD.version AND NEW.search_key IS OLD.search_key BEGIN
  UPDATE tickets SET version = OLD.version + 1 WHERE rowid = NEW.rowid;
END;
CREATE TRIGGER webhooks_version AFTER UPDATE ON webhooks WHEN NEW.version = OLD.version BEGIN
  UPDATE webhooks SET version = OLD.version + 1 WHERE rowid = NEW.rowid;
END;
CREATE TRIGGER sso_connections_version AFTER UPDATE ON sso_connections WHEN NEW.version = OLD.version BEGIN
  UPDATE sso_connections SET version = OLD.version + 1 WHERE rowid = NEW.rowid;
END;
CREATE TRIGGER assets_version AFTER UPDATE ON assets WHEN NEW.version = OLD.version BEGIN
  UPDATE assets SET version = OLD.version + 1 WHERE rowid = NEW.rowid;
END;
CREATE TRIGGER templates_version AFTER UPDATE ON templates WHEN NEW.version = OLD.version BEGIN
  UPDATE templates SET version = OLD.version + 1 WHERE rowid = NEW.rowid;
END;
CREATE TRIGGER documents_version AFTER UPDATE ON documents WHEN NEW.version = OLD.version BEGIN
  UPDATE documents SET version = OLD.version + 1 WHERE rowid = NEW.rowid;
END;
