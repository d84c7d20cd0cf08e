-- A tenant's staff invited by email (issue 16): from the console, or the admin API with the
-- tenant's key. The link is shown once; only its SHA-256 is kept. Accepting makes the
-- person's `staff` row, in the batch that marks the invitation used.
CREATE TABLE staff_invitations (
  id          TEXT PRIMARY KEY,
  tenant_id   TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  token_hash  TEXT NOT NULL UNIQUE,
  email       TEXT NOT NULL,
  role        TEXT NOT NULL CHECK (role IN ('owner', 'admin', 'agent', 'viewer')),
  created_by  TEXT NOT NULL,             -- the audit label of who invited (staff:…, key:…, platform)
  created_at  INTEGER NOT NULL,
  expires_at  INTEGER NOT NULL,
  accepted_at INTEGER,
  -- The person the acceptance made: the batch that makes them finds the row by it.
  accepted_staff_id TEXT,
  revoked_at  INTEGER
);
CREATE INDEX staff_invitations_tenant ON staff_invitations(tenant_id, created_at);
