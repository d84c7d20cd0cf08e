-- A claim is not ownership. Until now the hostname was the primary key from the moment a
-- tenant added it, so anyone could add another provider's hostname unverified and block it
-- for ever. Now several portals (of any tenants) may hold pending or failed claims on one
-- hostname; a portal holds at most one claim per hostname, and only one claim per hostname
-- can be active (the partial unique index): the first to prove control with its own TXT
-- token. Host resolution reads active rows only.
-- Nothing references `domains`, so the table is rebuilt in place, keeping every row.
CREATE TABLE domains_claims (
  hostname           TEXT NOT NULL,
  tenant_id          TEXT NOT NULL,
  portal_id          TEXT NOT NULL,
  status             TEXT NOT NULL CHECK (status IN ('pending', 'active', 'failed')),
  verification_token TEXT NOT NULL,
  verified_at        INTEGER,
  last_checked_at    INTEGER,
  last_error         TEXT,
  created_at         INTEGER NOT NULL,
  PRIMARY KEY (tenant_id, portal_id, hostname),
  FOREIGN KEY (tenant_id, portal_id) REFERENCES portals(tenant_id, id) ON DELETE CASCADE
);
INSERT INTO domains_claims (hostname, tenant_id, portal_id, status, verification_token, verified_at,
                            last_checked_at, last_error, created_at)
  SELECT hostname, tenant_id, portal_id, status, verification_token, verified_at,
         last_checked_at, last_error, created_at
  FROM domains;
DROP TABLE domains;
ALTER TABLE domains_claims RENAME TO domains;
CREATE UNIQUE INDEX domains_active_hostname ON domains(hostname) WHERE status = 'active';
-- The rivals of a claim, and whether a hostname is still claimed by anyone.
CREATE INDEX domains_hostname ON domains(hostname);
CREATE INDEX domains_portal ON domains(portal_id);
-- The scheduled run's sweep of claims past their seven days.
CREATE INDEX domains_unverified ON domains(created_at) WHERE status <> 'active';
