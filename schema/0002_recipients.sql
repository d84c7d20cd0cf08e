-- Recipients: who may join a portal, their accounts, sessions, invitations, one-time
-- links, "view as" previews, rate limits and the email outbox.
-- Same conventions as 0001: times in ms since the epoch, UUID text ids, tenant-owned
-- references through (tenant_id, id) pairs. Secrets (session, invitation, reset,
-- verification and preview tokens) are stored only as hex SHA-256 of the token.

-- How a portal lets people in, and what they agree to when they join.
-- join_policy: 'invitation' (default), 'open' (anyone with a verified email),
-- 'lists' (emails and email domains in registration_list), 'sso' (only through single
-- sign-on; the SSO work fills it in). A text's version goes up whenever its text changes,
-- so an account records which wording it agreed to.
ALTER TABLE portals ADD COLUMN join_policy TEXT NOT NULL DEFAULT 'invitation'
  CHECK (join_policy IN ('invitation', 'open', 'lists', 'sso'));
ALTER TABLE portals ADD COLUMN idle_timeout_minutes INTEGER NOT NULL DEFAULT 60
  CHECK (idle_timeout_minutes BETWEEN 5 AND 10080);
ALTER TABLE portals ADD COLUMN session_lifetime_hours INTEGER NOT NULL DEFAULT 168
  CHECK (session_lifetime_hours BETWEEN 1 AND 2160);
ALTER TABLE portals ADD COLUMN terms_text TEXT NOT NULL DEFAULT '';
ALTER TABLE portals ADD COLUMN terms_version INTEGER NOT NULL DEFAULT 0;
ALTER TABLE portals ADD COLUMN consent_text TEXT NOT NULL DEFAULT '';
ALTER TABLE portals ADD COLUMN consent_version INTEGER NOT NULL DEFAULT 0;

-- One person's account on one portal. The same email on another portal is another
-- account: accounts never span portals. customer_id: the customer the person belongs to
-- (always the portal's customer on a one-customer portal; may be NULL on a shared portal
-- until the provider assigns one).
CREATE TABLE accounts (
  id                TEXT PRIMARY KEY,
  tenant_id         TEXT NOT NULL,
  portal_id         TEXT NOT NULL,
  customer_id       TEXT,
  email             TEXT NOT NULL,          -- lower case
  name              TEXT NOT NULL,
  role              TEXT NOT NULL CHECK (role IN ('admin', 'member')),
  password_hash     TEXT,                   -- PHC string with its parameters; NULL: no password (SSO)
  language          TEXT NOT NULL DEFAULT 'en' CHECK (language IN ('en', 'da', 'nb')),
  email_verified_at INTEGER,                -- when the address was proven (registration link, invitation, reset)
  terms_version     INTEGER,
  terms_accepted_at INTEGER,
  consent_version   INTEGER,
  consent_given_at  INTEGER,
  created_at        INTEGER NOT NULL,
  updated_at        INTEGER NOT NULL,
  FOREIGN KEY (tenant_id, portal_id) REFERENCES portals(tenant_id, id) ON DELETE CASCADE,
  FOREIGN KEY (tenant_id, customer_id) REFERENCES customers(tenant_id, id),
  UNIQUE (portal_id, email),
  UNIQUE (tenant_id, id)
);
CREATE INDEX accounts_portal_role ON accounts(portal_id, role);

-- Invitation links. email NULL: anyone holding the link may accept it (once).
CREATE TABLE invitations (
  id                  TEXT PRIMARY KEY,
  tenant_id           TEXT NOT NULL,
  portal_id           TEXT NOT NULL,
  token_hash          TEXT NOT NULL UNIQUE,
  email               TEXT,
  role                TEXT NOT NULL CHECK (role IN ('admin', 'member')),
  customer_id         TEXT,
  created_by          TEXT NOT NULL,        -- "platform", "key:<id>" or "account:<id>"
  created_at          INTEGER NOT NULL,
  expires_at          INTEGER NOT NULL,
  accepted_at         INTEGER,
  accepted_account_id TEXT,                 -- no FK: the record outlives a removed account
  revoked_at          INTEGER,
  FOREIGN KEY (tenant_id, portal_id) REFERENCES portals(tenant_id, id) ON DELETE CASCADE,
  FOREIGN KEY (tenant_id, customer_id) REFERENCES customers(tenant_id, id),
  UNIQUE (tenant_id, id)
);
CREATE INDEX invitations_portal ON invitations(portal_id, created_at);

-- Self-registrations waiting for their email to be confirmed. The account is created only
-- when the link is used, and the password and the agreement to the portal's texts are given
-- then, on the confirmation page: whoever registers an address they cannot read gets
-- nothing, and cannot choose the password of the account its owner later opens.
CREATE TABLE registrations (
  token_hash  TEXT PRIMARY KEY,
  tenant_id   TEXT NOT NULL,
  portal_id   TEXT NOT NULL,
  email       TEXT NOT NULL,
  name        TEXT NOT NULL,                  -- a suggestion; the confirmation page may change it
  customer_id TEXT,
  created_at  INTEGER NOT NULL,
  expires_at  INTEGER NOT NULL,
  used_at     INTEGER,
  FOREIGN KEY (tenant_id, portal_id) REFERENCES portals(tenant_id, id) ON DELETE CASCADE,
  FOREIGN KEY (tenant_id, customer_id) REFERENCES customers(tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX registrations_email ON registrations(portal_id, email);
CREATE INDEX registrations_expiry ON registrations(expires_at);

-- Password reset links: single use, short-lived, for an existing account.
CREATE TABLE reset_tokens (
  token_hash  TEXT PRIMARY KEY,
  tenant_id   TEXT NOT NULL,
  account_id  TEXT NOT NULL,
  created_at  INTEGER NOT NULL,
  expires_at  INTEGER NOT NULL,
  used_at     INTEGER,
  FOREIGN KEY (tenant_id, account_id) REFERENCES accounts(tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX reset_tokens_account ON reset_tokens(account_id);

-- Who may register on a portal whose join_policy is 'lists': one email, or everyone at
-- an email domain. customer_id: the customer such a person joins as.
CREATE TABLE registration_list (
  id          TEXT PRIMARY KEY,
  tenant_id   TEXT NOT NULL,
  portal_id   TEXT NOT NULL,
  kind        TEXT NOT NULL CHECK (kind IN ('email', 'domain')),
  value       TEXT NOT NULL,                -- lower case
  customer_id TEXT,
  created_at  INTEGER NOT NULL,
  FOREIGN KEY (tenant_id, portal_id) REFERENCES portals(tenant_id, id) ON DELETE CASCADE,
  FOREIGN KEY (tenant_id, customer_id) REFERENCES customers(tenant_id, id),
  UNIQUE (portal_id, kind, value)
);

-- "View as": a short-lived, single-use link for provider staff that opens the portal as
-- one recipient (account_id) or as a fresh member of a customer (account_id NULL).
CREATE TABLE previews (
  id          TEXT PRIMARY KEY,
  tenant_id   TEXT NOT NULL,
  portal_id   TEXT NOT NULL,
  token_hash  TEXT NOT NULL UNIQUE,
  account_id  TEXT,
  customer_id TEXT,
  created_by  TEXT NOT NULL,
  created_at  INTEGER NOT NULL,
  expires_at  INTEGER NOT NULL,
  opened_at   INTEGER,
  FOREIGN KEY (tenant_id, portal_id) REFERENCES portals(tenant_id, id) ON DELETE CASCADE,
  FOREIGN KEY (tenant_id, account_id) REFERENCES accounts(tenant_id, id) ON DELETE CASCADE,
  FOREIGN KEY (tenant_id, customer_id) REFERENCES customers(tenant_id, id) ON DELETE CASCADE,
  UNIQUE (tenant_id, id)
);

-- Signed-in browsers. Deleting the row revokes the session at once (D1, not KV).
-- preview_id set: a read-only "view as" session (account_id NULL: a fresh member).
CREATE TABLE sessions (
  token_hash   TEXT PRIMARY KEY,
  tenant_id    TEXT NOT NULL,
  portal_id    TEXT NOT NULL,
  account_id   TEXT,
  preview_id   TEXT,
  created_at   INTEGER NOT NULL,
  last_seen_at INTEGER NOT NULL,
  expires_at   INTEGER NOT NULL,             -- the absolute lifetime
  FOREIGN KEY (tenant_id, portal_id) REFERENCES portals(tenant_id, id) ON DELETE CASCADE,
  FOREIGN KEY (tenant_id, account_id) REFERENCES accounts(tenant_id, id) ON DELETE CASCADE,
  FOREIGN KEY (tenant_id, preview_id) REFERENCES previews(tenant_id, id) ON DELETE CASCADE,
  CHECK (account_id IS NOT NULL OR preview_id IS NOT NULL)
);
CREATE INDEX sessions_account ON sessions(account_id);
CREATE INDEX sessions_expiry ON sessions(expires_at);

-- Fixed-window counters for rate limits (sign-in, registration, reset, invitations),
-- in D1 because a second request must see the first one's count at once.
CREATE TABLE rate_limits (
  bucket       TEXT PRIMARY KEY,             -- e.g. "signin:ip:<portal>:<ip>"
  window_start INTEGER NOT NULL,
  hits         INTEGER NOT NULL
);

-- Every email porch sends, queued in the same unit of work as the change that causes it
-- and delivered by the scheduled handler with retries.
CREATE TABLE outbox (
  id              TEXT PRIMARY KEY,
  tenant_id       TEXT NOT NULL REFERENCES tenants(id),
  portal_id       TEXT,
  kind            TEXT NOT NULL,             -- invitation, registration, verification, reset, role_change, ...
  to_email        TEXT NOT NULL,
  subject         TEXT NOT NULL,
  text_body       TEXT NOT NULL,
  html_body       TEXT NOT NULL,
  status          TEXT NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'sent', 'failed')),
  attempts        INTEGER NOT NULL DEFAULT 0,
  next_attempt_at INTEGER NOT NULL,          -- also the lease: a sender pushes it forward while it works
  last_error      TEXT,
  created_at      INTEGER NOT NULL,
  sent_at         INTEGER
);
CREATE INDEX outbox_due ON outbox(status, next_attempt_at);
CREATE INDEX outbox_tenant ON outbox(tenant_id, created_at);
