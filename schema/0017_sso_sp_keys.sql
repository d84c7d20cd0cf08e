-- porch's own SAML service-provider key pairs: one per SAML connection, two while the admin
-- replaces one (the older signs AuthnRequests until it is retired; both are published in the
-- SP metadata and both decrypt assertions). At most two per connection: the API checks it
-- and its insert is guarded by the count.
-- id: lowercase hex SHA-256 of the certificate. certificate: base64 DER, self-signed, public.
-- sealed_private_key: the PKCS#1 DER RSA private key sealed with AES-256-GCM under the
-- platform's SSO_SEALING_KEY and bound to '<connection id>/<key id>', so a copy of the
-- database decrypts and signs nothing.
CREATE TABLE sso_sp_keys (
  connection_id      TEXT NOT NULL,
  id                 TEXT NOT NULL,
  tenant_id          TEXT NOT NULL,
  portal_id          TEXT NOT NULL,
  sealed_private_key TEXT NOT NULL,
  certificate        TEXT NOT NULL,
  created_at         INTEGER NOT NULL,
  PRIMARY KEY (connection_id, id),
  FOREIGN KEY (tenant_id, connection_id) REFERENCES sso_connections(tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX sso_sp_keys_portal ON sso_sp_keys(tenant_id, portal_id);
