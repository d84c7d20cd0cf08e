-- Tickets in the portal: what each portal shows of a tenant's tickets and how, per-user
-- visibility, attachments (bytes in R2), full-text search over what recipients may read,
-- satisfaction ratings, and signed webhooks to the provider's help desk.

-- ticket_counters (0004) is now bumped by its own statement just before the ticket's batch,
-- so the batch's notices can name the ticket's number; a failed batch leaves a gap in the
-- numbers, never a duplicate (UNIQUE (tenant_id, number) stands guard).

-- A portal's ticket settings.
-- ticket_visibility: 'own' (a recipient sees the tickets they requested) or 'organisation'
--   (also every ticket of their customer), overridable per account (accounts.ticket_visibility).
-- ticket_status_display: 'open_closed' or 'stages' (the stage names).
-- ticket_closed_replies: 'reopen' (a reply to a closed ticket moves it to the pipeline's
--   first open stage) or 'refuse'.
-- ticket_inbox_id / ticket_pipeline_id: where the support form's tickets land (NULL: no
--   inbox / the tenant's first pipeline). No foreign key (ALTER TABLE cannot add a
--   composite one): deleting an inbox or pipeline clears them in the same batch.
-- ticket_rules_json: which tickets appear, {"pipelines":[ids],"inboxes":[ids],
--   "priorities":[..],"properties":[{"key":k,"values":[..]}]}; every listed rule must hold.
-- support_form_json: the support form's extra fields, [{"property":k,"required":b,
--   "labels":{"en":..,"da":..}}] (subject and description are always asked).
-- ticket_satisfaction: after close, ask the requester for a rating (1) or not (0).
ALTER TABLE portals ADD COLUMN ticket_visibility TEXT NOT NULL DEFAULT 'own'
  CHECK (ticket_visibility IN ('own', 'organisation'));
ALTER TABLE portals ADD COLUMN ticket_status_display TEXT NOT NULL DEFAULT 'open_closed'
  CHECK (ticket_status_display IN ('open_closed', 'stages'));
ALTER TABLE portals ADD COLUMN ticket_closed_replies TEXT NOT NULL DEFAULT 'reopen'
  CHECK (ticket_closed_replies IN ('reopen', 'refuse'));
ALTER TABLE portals ADD COLUMN ticket_inbox_id TEXT;
ALTER TABLE portals ADD COLUMN ticket_pipeline_id TEXT;
ALTER TABLE portals ADD COLUMN ticket_rules_json TEXT NOT NULL DEFAULT '{}';
ALTER TABLE portals ADD COLUMN support_form_json TEXT NOT NULL DEFAULT '[]';
ALTER TABLE portals ADD COLUMN ticket_satisfaction INTEGER NOT NULL DEFAULT 1
  CHECK (ticket_satisfaction IN (0, 1));

-- NULL: the portal's ticket_visibility applies.
ALTER TABLE accounts ADD COLUMN ticket_visibility TEXT
  CHECK (ticket_visibility IN ('own', 'organisation'));

-- The portal's lists sorted by creation walk these (a ticket's number grows with creation).
CREATE INDEX tickets_requester_number ON tickets(tenant_id, requester_account_id, number DESC, id DESC);
CREATE INDEX tickets_customer_number ON tickets(tenant_id, customer_id, number DESC, id DESC);

-- A file attached to a message. r2_key: the object's key in the FILES bucket, 32 random
-- bytes, never derived from anything guessable. Recipients reach an attachment only
-- through a public message of a ticket they may see.
CREATE TABLE attachments (
  id           TEXT PRIMARY KEY,
  tenant_id    TEXT NOT NULL,
  ticket_id    TEXT NOT NULL,
  message_id   TEXT NOT NULL,
  r2_key       TEXT NOT NULL UNIQUE,
  filename     TEXT NOT NULL,
  content_type TEXT NOT NULL,
  size         INTEGER NOT NULL CHECK (size >= 0),
  created_at   INTEGER NOT NULL,
  FOREIGN KEY (tenant_id, message_id) REFERENCES messages(tenant_id, id) ON DELETE CASCADE,
  UNIQUE (tenant_id, id)
);
CREATE INDEX attachments_message ON attachments(tenant_id, message_id);
CREATE INDEX attachments_ticket ON attachments(tenant_id, ticket_id);

-- A requester's rating of a closed ticket, one per thread.
CREATE TABLE ticket_ratings (
  tenant_id  TEXT NOT NULL,
  ticket_id  TEXT NOT NULL,
  thread     INTEGER NOT NULL,
  score      INTEGER NOT NULL CHECK (score BETWEEN 1 AND 5),
  comment    TEXT NOT NULL DEFAULT '',
  account_id TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  PRIMARY KEY (tenant_id, ticket_id, thread),
  FOREIGN KEY (tenant_id, ticket_id) REFERENCES tickets(tenant_id, id) ON DELETE CASCADE
);

-- Full-text search over what a recipient may read of a ticket: its subject and its public
-- messages (internal notes never enter the index). search_docs maps each indexed text to
-- its ticket (docid is the FTS rowid; an INTEGER PRIMARY KEY, so it survives VACUUM).
-- scope holds tokens that let a search be narrowed inside the index itself:
-- 't<tenant>', 'c<customer>' (or 'cnone'), 'r<requester account>' (or 'rnone'), ids without
-- their dashes so the tokenizer keeps each whole.
CREATE TABLE search_docs (
  docid      INTEGER PRIMARY KEY,
  tenant_id  TEXT NOT NULL,
  ticket_id  TEXT NOT NULL,
  message_id TEXT            -- NULL: the ticket's subject
);
CREATE INDEX search_docs_ticket ON search_docs(ticket_id, message_id);

-- prefix = '3': searches match words by their start ("pump" finds "pumps"); without a
-- prefix index each such term would merge every matching entry of the whole index.
CREATE VIRTUAL TABLE ticket_search USING fts5(scope, body, tokenize = 'unicode61 remove_diacritics 2', prefix = '3');

CREATE TRIGGER tickets_search_insert AFTER INSERT ON tickets BEGIN
  INSERT INTO search_docs (tenant_id, ticket_id, message_id) VALUES (NEW.tenant_id, NEW.id, NULL);
  INSERT INTO ticket_search (rowid, scope, body) VALUES (
    last_insert_rowid(),
    't' || replace(NEW.tenant_id, '-', '') || ' c' || COALESCE(replace(NEW.customer_id, '-', ''), 'none')
      || ' r' || COALESCE(replace(NEW.requester_account_id, '-', ''), 'none'),
    NEW.subject);
END;

CREATE TRIGGER tickets_search_subject AFTER UPDATE OF subject ON tickets BEGIN
  UPDATE ticket_search SET body = NEW.subject
  WHERE rowid = (SELECT docid FROM search_docs WHERE ticket_id = NEW.id AND message_id IS NULL);
END;

CREATE TRIGGER tickets_search_delete AFTER DELETE ON tickets BEGIN
  DELETE FROM ticket_search WHERE rowid IN (SELECT docid FROM search_docs WHERE ticket_id = OLD.id);
  DELETE FROM search_docs WHERE ticket_id = OLD.id;
END;

CREATE TRIGGER messages_search_insert AFTER INSERT ON messages WHEN NEW.visibility = 'public' BEGIN
  INSERT INTO search_docs (tenant_id, ticket_id, message_id) VALUES (NEW.tenant_id, NEW.ticket_id, NEW.id);
  INSERT INTO ticket_search (rowid, scope, body)
    SELECT last_insert_rowid(),
      't' || replace(t.tenant_id, '-', '') || ' c' || COALESCE(replace(t.customer_id, '-', ''), 'none')
        || ' r' || COALESCE(replace(t.requester_account_id, '-', ''), 'none'),
      NEW.body
    FROM tickets t WHERE t.tenant_id = NEW.tenant_id AND t.id = NEW.ticket_id;
END;

-- The tickets and public messages written before this migration.
INSERT INTO search_docs (tenant_id, ticket_id, message_id)
  SELECT tenant_id, id, NULL FROM tickets;
INSERT INTO search_docs (tenant_id, ticket_id, message_id)
  SELECT tenant_id, ticket_id, id FROM messages WHERE visibility = 'public';
INSERT INTO ticket_search (rowid, scope, body)
  SELECT d.docid,
    't' || replace(t.tenant_id, '-', '') || ' c' || COALESCE(replace(t.customer_id, '-', ''), 'none')
      || ' r' || COALESCE(replace(t.requester_account_id, '-', ''), 'none'),
    COALESCE(m.body, t.subject)
  FROM search_docs d
  JOIN tickets t ON t.id = d.ticket_id
  LEFT JOIN messages m ON m.id = d.message_id;

-- Where a tenant's help desk hears of customers' new tickets, replies and ratings: each
-- event is POSTed as JSON, signed with HMAC-SHA256 under the endpoint's secret
-- (secret: the signing key itself, since signing needs it; shown to the provider once).
CREATE TABLE webhooks (
  id         TEXT PRIMARY KEY,
  tenant_id  TEXT NOT NULL REFERENCES tenants(id),
  url        TEXT NOT NULL,
  secret     TEXT NOT NULL,
  enabled    INTEGER NOT NULL DEFAULT 1 CHECK (enabled IN (0, 1)),
  created_at INTEGER NOT NULL,
  UNIQUE (tenant_id, id)
);

-- One event for one endpoint, written in the same batch as the change it reports and
-- delivered by the scheduled handler with the email outbox's retry rules.
CREATE TABLE webhook_deliveries (
  id              TEXT PRIMARY KEY,
  tenant_id       TEXT NOT NULL,
  webhook_id      TEXT NOT NULL,
  event           TEXT NOT NULL,
  payload_json    TEXT NOT NULL,
  status          TEXT NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'sent', 'failed')),
  attempts        INTEGER NOT NULL DEFAULT 0,
  next_attempt_at INTEGER NOT NULL,
  last_error      TEXT,
  created_at      INTEGER NOT NULL,
  sent_at         INTEGER,
  FOREIGN KEY (tenant_id, webhook_id) REFERENCES webhooks(tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries(status, next_attempt_at);
CREATE INDEX webhook_deliveries_tenant ON webhook_deliveries(tenant_id, created_at);
-- The cascade when an endpoint is deleted, and its deliveries list.
CREATE INDEX webhook_deliveries_webhook ON webhook_deliveries(tenant_id, webhook_id, created_at);
