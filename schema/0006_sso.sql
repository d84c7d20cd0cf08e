-- Single sign-on: the identity providers a portal trusts (SAML, JWT, OIDC), which email
-- domains each one answers for (home realm discovery), how its people map to customers,
-- pending sign-ins, replay protection and the event log providers read to fix their set-up.
-- Same conventions as 0001: times in ms since the epoch, UUID text ids, tenant-owned
-- references through (tenant_id, id) pairs.

-- One identity provider of one portal. `settings` holds the protocol's settings as JSON,
-- written only by porch after checking them, and never a secret: an HS256 secret or an
-- OIDC client secret is in `sealed_secret`, encrypted (AES-256-GCM) under the platform's
-- SSO_SEALING_KEY secret, so a copy of the database alone signs nobody in.
-- admission: who may come in ('all' the provider vouches for; 'lists': the portal's
-- registration list; 'attribute': an attribute with a given value).
-- customer_id: everyone from this provider belongs to that customer; customer_attribute:
-- the customer is looked up by this attribute's value in sso_customer_values.
CREATE TABLE sso_connections (
  id                  TEXT PRIMARY KEY,
  tenant_id           TEXT NOT NULL,
  portal_id           TEXT NOT NULL,
  name                TEXT NOT NULL,
  protocol            TEXT NOT NULL CHECK (protocol IN ('saml', 'jwt', 'oidc')),
  enabled             INTEGER NOT NULL DEFAULT 1 CHECK (enabled IN (0, 1)),
  settings            TEXT NOT NULL,
  sealed_secret       TEXT,
  admission           TEXT NOT NULL DEFAULT 'all' CHECK (admission IN ('all', 'lists', 'attribute')),
  admission_attribute TEXT,
  admission_value     TEXT,
  customer_id         TEXT,
  customer_attribute  TEXT,
  created_at          INTEGER NOT NULL,
  updated_at          INTEGER NOT NULL,
  FOREIGN KEY (tenant_id, portal_id) REFERENCES portals(tenant_id, id) ON DELETE CASCADE,
  FOREIGN KEY (tenant_id, customer_id) REFERENCES customers(tenant_id, id),
  UNIQUE (tenant_id, id),
  CHECK (admission <> 'attribute' OR (admission_attribute IS NOT NULL AND admission_value IS NOT NULL))
);
CREATE INDEX sso_connections_portal ON sso_connections(tenant_id, portal_id);

-- Home realm discovery: an email domain belongs to at most one connection of a portal
-- (primary key), which then is the only one that may sign in addresses of that domain.
-- customer_id: people of the domain belong to that customer (mapping by email domain).
CREATE TABLE sso_domains (
  portal_id     TEXT NOT NULL,
  domain        TEXT NOT NULL,             -- lower case
  tenant_id     TEXT NOT NULL,
  connection_id TEXT NOT NULL,
  customer_id   TEXT,
  PRIMARY KEY (portal_id, domain),
  FOREIGN KEY (tenant_id, connection_id) REFERENCES sso_connections(tenant_id, id) ON DELETE CASCADE,
  FOREIGN KEY (tenant_id, customer_id) REFERENCES customers(tenant_id, id)
);
CREATE INDEX sso_domains_connection ON sso_domains(connection_id);

-- Customer mapping by attribute: the value of the connection's customer_attribute.
CREATE TABLE sso_customer_values (
  connection_id TEXT NOT NULL,
  value         TEXT NOT NULL,
  tenant_id     TEXT NOT NULL,
  customer_id   TEXT NOT NULL,
  PRIMARY KEY (connection_id, value),
  FOREIGN KEY (tenant_id, connection_id) REFERENCES sso_connections(tenant_id, id) ON DELETE CASCADE,
  FOREIGN KEY (tenant_id, customer_id) REFERENCES customers(tenant_id, id)
);

-- The identity provider an account belongs to and its subject there (SAML NameID, OIDC
-- `sub`, JWT `external_id`): written when SSO makes the account, or signs it in through the
-- provider that claims its email domain. A provider signs in only accounts linked to it or
-- in the domains it claims (so one company's provider cannot enter another's accounts), and
-- one subject of a provider is one account.
CREATE TABLE sso_links (
  account_id    TEXT PRIMARY KEY,
  tenant_id     TEXT NOT NULL,
  portal_id     TEXT NOT NULL,
  connection_id TEXT NOT NULL,
  subject       TEXT,
  FOREIGN KEY (tenant_id, account_id) REFERENCES accounts(tenant_id, id) ON DELETE CASCADE,
  FOREIGN KEY (tenant_id, connection_id) REFERENCES sso_connections(tenant_id, id) ON DELETE CASCADE,
  UNIQUE (connection_id, subject)
);

-- Sign-ins porch started and waits to hear back about: a SAML AuthnRequest (id: its ID,
-- matched by InResponseTo) or an OIDC authorization request (id: the hash of `state`, with
-- its nonce and PKCE verifier). Consumed once; gone when they expire.
-- browser_hash: the hash of a cookie set on the browser that started it, so an answer
-- cannot be carried into another person's browser (RFC 6749 §10.12; login CSRF).
CREATE TABLE sso_requests (
  id            TEXT PRIMARY KEY,
  tenant_id     TEXT NOT NULL,
  portal_id     TEXT NOT NULL,
  connection_id TEXT NOT NULL,
  return_to     TEXT NOT NULL,
  browser_hash  TEXT,
  nonce         TEXT,
  code_verifier TEXT,
  expires_at    INTEGER NOT NULL,
  FOREIGN KEY (tenant_id, connection_id) REFERENCES sso_connections(tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX sso_requests_expiry ON sso_requests(expires_at);

-- Each JWT `jti` and SAML assertion ID is accepted once per connection: the insert's
-- primary key is the check (D1, never KV: a second reader must see the first write at once).
-- Kept until the token or assertion could no longer be used anyway.
CREATE TABLE sso_replay (
  tenant_id  TEXT NOT NULL,
  portal_id  TEXT NOT NULL,
  key        TEXT NOT NULL,                -- "<connection id>:<jti or assertion id>"
  expires_at INTEGER NOT NULL,
  PRIMARY KEY (tenant_id, portal_id, key)
);
CREATE INDEX sso_replay_expiry ON sso_replay(expires_at);

-- What happened at each SSO sign-in, for the provider (API) and for support: the outcome,
-- a stable code for what failed (signature, audience, clock, replay, ...), a short detail
-- without secrets, and the reference shown on the person's "sign-in failed" page.
CREATE TABLE sso_events (
  id            TEXT PRIMARY KEY,
  tenant_id     TEXT NOT NULL,
  portal_id     TEXT NOT NULL,
  connection_id TEXT,
  at            INTEGER NOT NULL,
  outcome       TEXT NOT NULL CHECK (outcome IN ('signed_in', 'refused')),
  code          TEXT NOT NULL,
  detail        TEXT NOT NULL,
  reference     TEXT NOT NULL,
  email         TEXT,
  FOREIGN KEY (tenant_id, portal_id) REFERENCES portals(tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX sso_events_portal ON sso_events(tenant_id, portal_id, at);
CREATE INDEX sso_events_expiry ON sso_events(at);
