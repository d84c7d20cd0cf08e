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
-- messages (internal notes never enter the index). Each indexed text's FTS rowid names its
-- ticket, so a search yields tickets straight from the index, with no lookup per match:
-- rowid = (ticket's search_key << 24) + ordinal, where ordinal 0 is the subject and 1, 2, ...
-- the ticket's public messages in order. search_key is a stored column (numbered from the
-- largest one so far), so it survives VACUUM, which may renumber implicit rowids.
-- scope holds tokens that let a search be narrowed inside the index itself:
-- 't<tenant>', 'c<customer>' (or 'cnone'), 'r<requester account>' (or 'rnone'), ids without
-- their dashes so the tokenizer keeps each whole.
ALTER TABLE tickets ADD COLUMN search_key INTEGER;
UPDATE tickets SET search_key = rowid;
CREATE UNIQUE INDEX tickets_search_key ON tickets(search_key);

-- prefix = '3': searches match words by their start ("pump" finds "pumps"); without a
-- prefix index each such term would merge every matching entry of the whole index.
CREATE VIRTUAL TABLE ticket_search USING fts5(scope, body, tokenize = 'unicode61 remove_diacritics 2', prefix = '3');

-- The tickets and public messages written before this migration.
INSERT INTO ticket_search (rowid, scope, body)
  SELECT search_key << 24,
    't' || replace(tenant_id, '-', '') || ' c' || COALESCE(replace(customer_id, '-', ''), 'none')
      || ' r' || COALESCE(replace(requester_account_id, '-', ''), 'none'),
    subject
  FROM tickets;
INSERT INTO ticket_search (rowid, scope, body)
  SELECT (t.search_key << 24) + ROW_NUMBER() OVER (PARTITION BY m.ticket_id ORDER BY m.created_at, m.rowid),
    't' || replace(t.tenant_id, '-', '') || ' c' || COALESCE(replace(t.customer_id, '-', ''), 'none')
      || ' r' || COALESCE(replace(t.requester_account_id, '-', ''), 'none'),
    m.body
  FROM messages m JOIN tickets t ON t.tenant_id = m.tenant_id AND t.id = m.ticket_id
  WHERE m.visibility = 'public';

CREATE TRIGGER tickets_search_insert AFTER INSERT ON tickets BEGIN
  UPDATE tickets SET search_key = (SELECT COALESCE(MAX(search_key), 0) + 1 FROM tickets) WHERE rowid = NEW.rowid;
  INSERT INTO ticket_search (rowid, scope, body)
    SELECT search_key << 24,
      't' || replace(NEW.tenant_id, '-', '') || ' c' || COALESCE(replace(NEW.customer_id, '-', ''), 'none')
        || ' r' || COALESCE(replace(NEW.requester_account_id, '-', ''), 'none'),
      NEW.subject
    FROM tickets WHERE rowid = NEW.rowid;
END;

CREATE TRIGGER tickets_search_subject AFTER UPDATE OF subject ON tickets BEGIN
  UPDATE ticket_search SET body = NEW.subject WHERE rowid = NEW.search_key << 24;
END;

CREATE TRIGGER tickets_search_delete AFTER DELETE ON tickets BEGIN
  DELETE FROM ticket_search WHERE rowid >= OLD.search_key << 24 AND rowid < (OLD.search_key + 1) << 24;
END;

-- A public message's ordinal is the ticket's count of public messages with it: messages are
-- never deleted one by one (only with their ticket), so the count only grows. At most 2^24
-- texts per ticket; a ticket's 16,777,216th public message would be refused.
CREATE TRIGGER messages_search_insert AFTER INSERT ON messages WHEN NEW.visibility = 'public' BEGIN
  INSERT INTO ticket_search (rowid, scope, body)
    SELECT (t.search_key << 24)
        + (SELECT COUNT(*) FROM messages m WHERE m.ticket_id = NEW.ticket_id AND m.visibility = 'public'),
      't' || replace(t.tenant_id, '-', '') || ' c' || COALESCE(replace(t.customer_id, '-', ''), 'none')
        || ' r' || COALESCE(replace(t.requester_account_id, '-', ''), 'none'),
      NEW.body
    FROM tickets t WHERE t.tenant_id = NEW.tenant_id AND t.id = NEW.ticket_id;
END;

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
