-- Ticket set-up, the first part of tickets: a tenant's pipelines with their ordered stages
-- (each open or closed), its inboxes (where customers' tickets and replies are delivered),
-- and its custom ticket properties. Tickets and conversations come in a later migration
-- and reference these through (tenant_id, id) pairs like everything else.

CREATE TABLE pipelines (
  id          TEXT PRIMARY KEY,
  tenant_id   TEXT NOT NULL REFERENCES tenants(id),
  name        TEXT NOT NULL,
  created_at  INTEGER NOT NULL,
  updated_at  INTEGER NOT NULL,
  UNIQUE (tenant_id, name),
  UNIQUE (tenant_id, id)
);

-- position orders a pipeline's stages (0 first). notify_requester: a ticket moving into the
-- stage emails its requester.
CREATE TABLE stages (
  id               TEXT PRIMARY KEY,
  tenant_id        TEXT NOT NULL,
  pipeline_id      TEXT NOT NULL,
  name             TEXT NOT NULL,
  position         INTEGER NOT NULL,
  is_closed        INTEGER NOT NULL CHECK (is_closed IN (0, 1)),
  notify_requester INTEGER NOT NULL DEFAULT 0 CHECK (notify_requester IN (0, 1)),
  FOREIGN KEY (tenant_id, pipeline_id) REFERENCES pipelines(tenant_id, id) ON DELETE CASCADE,
  UNIQUE (pipeline_id, name),
  UNIQUE (tenant_id, id),
  UNIQUE (tenant_id, pipeline_id, id)   -- lets a ticket's stage be tied to its pipeline
);
CREATE INDEX stages_pipeline ON stages(pipeline_id, position);

-- notify_email: where new tickets and customers' replies in this inbox are emailed.
CREATE TABLE inboxes (
  id           TEXT PRIMARY KEY,
  tenant_id    TEXT NOT NULL REFERENCES tenants(id),
  name         TEXT NOT NULL,
  notify_email TEXT,
  created_at   INTEGER NOT NULL,
  updated_at   INTEGER NOT NULL,
  UNIQUE (tenant_id, name),
  UNIQUE (tenant_id, id)
);

-- A tenant's own ticket fields beside the built-in ones (subject, description, priority,
-- pipeline, stage, requester, customer, inbox). choices_json: the allowed values of a
-- 'choice' property, as a JSON array of strings.
CREATE TABLE ticket_properties (
  id           TEXT PRIMARY KEY,
  tenant_id    TEXT NOT NULL REFERENCES tenants(id),
  key          TEXT NOT NULL,
  label        TEXT NOT NULL,
  kind         TEXT NOT NULL CHECK (kind IN ('text', 'number', 'choice')),
  choices_json TEXT NOT NULL DEFAULT '[]',
  created_at   INTEGER NOT NULL,
  UNIQUE (tenant_id, key),
  UNIQUE (tenant_id, id)
);
