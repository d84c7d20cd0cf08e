-- Tickets and their conversation, the agent side: a per-tenant human ticket number, the
-- built-in fields, custom property values, and messages (public replies and internal notes)
-- grouped in threads. The portal's ticket pages, attachments, search and notifications
-- build on these in later migrations.

-- The last ticket number handed out per tenant; bumped in the same batch that inserts the
-- ticket, so two tickets created at once never share a number.
CREATE TABLE ticket_counters (
  tenant_id   TEXT PRIMARY KEY REFERENCES tenants(id),
  last_number INTEGER NOT NULL
);

-- requester_account_id: the portal account the ticket is for (no FK: the ticket outlives a
-- removed account; its name is kept in requester_name). Deleting an inbox or a portal
-- clears inbox_id / portal_id in the same batch; a pipeline, stage or customer with
-- tickets cannot be deleted (409). properties_json: custom property
-- values by key. last_activity_at orders lists (newest activity first).
CREATE TABLE tickets (
  id                   TEXT PRIMARY KEY,
  tenant_id            TEXT NOT NULL REFERENCES tenants(id),
  number               INTEGER NOT NULL,
  subject              TEXT NOT NULL,
  priority             TEXT NOT NULL CHECK (priority IN ('low', 'normal', 'high', 'urgent')),
  pipeline_id          TEXT NOT NULL,
  stage_id             TEXT NOT NULL,
  inbox_id             TEXT,
  customer_id          TEXT,
  portal_id            TEXT,
  requester_account_id TEXT,
  requester_name       TEXT,
  properties_json      TEXT NOT NULL DEFAULT '{}',
  created_at           INTEGER NOT NULL,
  updated_at           INTEGER NOT NULL,
  last_activity_at     INTEGER NOT NULL,
  FOREIGN KEY (tenant_id, pipeline_id) REFERENCES pipelines(tenant_id, id),
  -- The stage is one of the ticket's pipeline: no code path can pair them wrongly.
  FOREIGN KEY (tenant_id, pipeline_id, stage_id) REFERENCES stages(tenant_id, pipeline_id, id),
  FOREIGN KEY (tenant_id, inbox_id) REFERENCES inboxes(tenant_id, id),
  FOREIGN KEY (tenant_id, customer_id) REFERENCES customers(tenant_id, id),
  FOREIGN KEY (tenant_id, portal_id) REFERENCES portals(tenant_id, id),
  UNIQUE (tenant_id, number),
  UNIQUE (tenant_id, id)
);
-- The agent list walks this index from its cursor (newest activity first).
CREATE INDEX tickets_activity ON tickets(tenant_id, last_activity_at DESC, id DESC);
-- For the portal's lists (a requester's, a customer's tickets) and for the foreign-key
-- checks when a stage, pipeline, inbox or portal is deleted.
CREATE INDEX tickets_requester ON tickets(tenant_id, requester_account_id, last_activity_at DESC, id DESC);
CREATE INDEX tickets_customer ON tickets(tenant_id, customer_id, last_activity_at DESC, id DESC);
CREATE INDEX tickets_stage ON tickets(tenant_id, pipeline_id, stage_id);
CREATE INDEX tickets_inbox ON tickets(tenant_id, inbox_id);
CREATE INDEX tickets_portal ON tickets(tenant_id, portal_id);

-- visibility 'internal': an agents' note, never shown to recipients. thread: 1, 2, ... a
-- new thread starts a fresh conversation on the same ticket; the portal shows the latest.
CREATE TABLE messages (
  id          TEXT PRIMARY KEY,
  tenant_id   TEXT NOT NULL,
  ticket_id   TEXT NOT NULL,
  thread      INTEGER NOT NULL CHECK (thread >= 1),
  visibility  TEXT NOT NULL CHECK (visibility IN ('public', 'internal')),
  author_kind TEXT NOT NULL CHECK (author_kind IN ('agent', 'recipient')),
  author_id   TEXT NOT NULL,      -- "platform", "key:<id>" or the account id
  author_name TEXT NOT NULL,
  body        TEXT NOT NULL,
  created_at  INTEGER NOT NULL,
  FOREIGN KEY (tenant_id, ticket_id) REFERENCES tickets(tenant_id, id) ON DELETE CASCADE,
  UNIQUE (tenant_id, id)
);
CREATE INDEX messages_ticket ON messages(ticket_id, created_at, id);
