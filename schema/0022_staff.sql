-- The console's people (issue 16): the platform's operators and, later, each tenant's staff.
-- Not recipients: a person here never signs in to a portal with this account.

-- A person of the console. An operator belongs to no tenant and sees every tenant; staff
-- belong to one. An email is one person across the console: the sign-in form asks no tenant.
CREATE TABLE staff (
  id             TEXT PRIMARY KEY,
  tenant_id      TEXT REFERENCES tenants(id) ON DELETE CASCADE,
  email          TEXT NOT NULL UNIQUE,
  name           TEXT NOT NULL,
  role           TEXT NOT NULL CHECK (role IN ('operator', 'owner', 'admin', 'agent', 'viewer')),
  password_hash  TEXT NOT NULL,               -- Argon2id, its parameters in the PHC string
  -- The TOTP secret, sealed (SSO_SEALING_KEY); NULL until the person has set it up, and no
  -- console page but setting it up opens before then.
  totp_secret    TEXT,
  -- The RFC 6238 time step of the last code accepted: no code of it or before is accepted
  -- again (RFC 6238 §5.2).
  totp_last_step INTEGER,
  created_at     INTEGER NOT NULL,
  CHECK ((tenant_id IS NULL) = (role = 'operator'))
);
CREATE INDEX staff_tenant ON staff(tenant_id);

-- Single-use recovery codes, stored as SHA-256 of their normalised text.
CREATE TABLE staff_recovery_codes (
  staff_id   TEXT NOT NULL REFERENCES staff(id) ON DELETE CASCADE,
  code_hash  TEXT NOT NULL,
  PRIMARY KEY (staff_id, code_hash)
) WITHOUT ROWID;

-- Console sessions, by the SHA-256 of the cookie's token. `stage` is how far the sign-in has
-- come: 'password' (the second factor is still to give), 'enrol' (it is still to set up, with
-- the pending secret sealed here until a first code proves the app has it), or 'signed_in'.
CREATE TABLE staff_sessions (
  token_hash     TEXT PRIMARY KEY,
  staff_id       TEXT NOT NULL REFERENCES staff(id) ON DELETE CASCADE,
  stage          TEXT NOT NULL CHECK (stage IN ('password', 'enrol', 'signed_in')),
  pending_secret TEXT,
  created_at     INTEGER NOT NULL,
  last_seen_at   INTEGER NOT NULL,
  expires_at     INTEGER NOT NULL
);
CREATE INDEX staff_sessions_staff ON staff_sessions(staff_id);
CREATE INDEX staff_sessions_expiry ON staff_sessions(expires_at);
