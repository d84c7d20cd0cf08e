-- A tenant's own OpenID Connect provider for its console staff (issue 16): a person of the
-- tenant's staff whose email is at one of its domains may sign in through it, in place of a
-- password and porch's second factor (the provider asks for its own). One per tenant. Its
-- `id` seals the client secret and names the provider's cached documents.
CREATE TABLE staff_sso (
  tenant_id     TEXT PRIMARY KEY REFERENCES tenants(id) ON DELETE CASCADE,
  id            TEXT NOT NULL UNIQUE,
  issuer        TEXT NOT NULL,
  client_id     TEXT NOT NULL,
  sealed_secret TEXT NOT NULL,
  enabled       INTEGER NOT NULL DEFAULT 1 CHECK (enabled IN (0, 1)),
  created_at    INTEGER NOT NULL,
  updated_at    INTEGER NOT NULL,
  version       INTEGER NOT NULL DEFAULT 1,
  -- Random per write: what follows a write in its batch (its domains) goes only where that
  -- very write went, even if another landed at the same version and millisecond.
  write_id      TEXT NOT NULL
);

-- The email domains whose people the console sends to a tenant's provider. A domain leads
-- there only once the tenant has proved it controls the domain's DNS (a TXT record naming the
-- connection): `verified_at`. Several tenants may list a domain; one only may prove it.
CREATE TABLE staff_sso_domains (
  tenant_id   TEXT NOT NULL REFERENCES staff_sso(tenant_id) ON DELETE CASCADE,
  domain      TEXT NOT NULL,
  verified_at INTEGER,
  PRIMARY KEY (tenant_id, domain)
);
CREATE UNIQUE INDEX staff_sso_domains_proven ON staff_sso_domains(domain) WHERE verified_at IS NOT NULL;

-- Sign-ins started and not yet back: by the SHA-256 of the OIDC state, bound to the browser
-- by the hash of a cookie's value, used once; and to the connection's version they started
-- under, so a provider changed meanwhile is never sent a code meant for the old one.
CREATE TABLE staff_sso_requests (
  state_hash    TEXT PRIMARY KEY,
  tenant_id     TEXT NOT NULL REFERENCES staff_sso(tenant_id) ON DELETE CASCADE,
  browser_hash  TEXT NOT NULL,
  nonce         TEXT NOT NULL,
  code_verifier TEXT NOT NULL,
  connection_version INTEGER NOT NULL,
  expires_at    INTEGER NOT NULL
);
CREATE INDEX staff_sso_requests_expiry ON staff_sso_requests(expires_at);
