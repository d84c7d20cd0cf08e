-- Demo tenants for local runs (scripts/dev). Idempotent: INSERT OR IGNORE with fixed ids,
-- so a second run changes nothing. Times: 2026-01-01T00:00:00Z.

-- A demo tenant erased on this machine (DELETE /api/v1/tenants/{id}, then the cron) comes
-- back on the next run: its finished erasure's record would otherwise hide the fixed id.
DELETE FROM tenant_deletions WHERE finished_at IS NOT NULL AND tenant_id IN
  ('a0000000-0000-4000-8000-000000000001', 'b0000000-0000-4000-8000-000000000001');

-- Acme Support: one portal shared by all of Acme's customers (HubSpot style), English.
INSERT OR IGNORE INTO tenants (id, slug, name, parent_id, created_at, updated_at) VALUES
  ('a0000000-0000-4000-8000-000000000001', 'acme', 'Acme Support', NULL, 1767225600000, 1767225600000);
INSERT OR IGNORE INTO customers (id, tenant_id, name, created_at, updated_at) VALUES
  ('a0000000-0000-4000-8000-0000000000c1', 'a0000000-0000-4000-8000-000000000001', 'Globex Corporation', 1767225600000, 1767225600000),
  ('a0000000-0000-4000-8000-0000000000c2', 'a0000000-0000-4000-8000-000000000001', 'Initech', 1767225600000, 1767225600000);
INSERT OR IGNORE INTO business_units (id, tenant_id, customer_id, name, created_at) VALUES
  ('a0000000-0000-4000-8000-0000000000b1', 'a0000000-0000-4000-8000-000000000001', 'a0000000-0000-4000-8000-0000000000c1', 'Logistics', 1767225600000),
  ('a0000000-0000-4000-8000-0000000000b2', 'a0000000-0000-4000-8000-000000000001', 'a0000000-0000-4000-8000-0000000000c1', 'Manufacturing', 1767225600000);
INSERT OR IGNORE INTO themes (id, tenant_id, name, primary_color, menu_color, notification_color, background_color, text_color,
                              logo_small_key, logo_small_type, logo_large_key, logo_large_type, version, created_at, updated_at) VALUES
  ('a0000000-0000-4000-8000-0000000000e1', 'a0000000-0000-4000-8000-000000000001', 'Acme Orange',
   '#b93d0b', '#1e293b', '#f59e0b', '#ffffff', '#1f2937',
   'seed/acme-logo.svg', 'image/svg+xml', 'seed/acme-logo-large.svg', 'image/svg+xml', 1, 1767225600000, 1767225600000);
INSERT OR IGNORE INTO portals (id, tenant_id, slug, name, page_title, default_language, customer_id, theme_id, enabled, created_at, updated_at) VALUES
  ('a0000000-0000-4000-8000-0000000000f1', 'a0000000-0000-4000-8000-000000000001', 'acme', 'Acme Support',
   'Acme Support Center', 'en', NULL, 'a0000000-0000-4000-8000-0000000000e1', 1, 1767225600000, 1767225600000);
INSERT OR IGNORE INTO domains (hostname, tenant_id, portal_id, status, verification_token, verified_at, created_at) VALUES
  ('acme.localhost', 'a0000000-0000-4000-8000-000000000001', 'a0000000-0000-4000-8000-0000000000f1', 'active',
   'porch-verify=demo-acme', 1767225600000, 1767225600000);

-- Nordic Rentals: one portal per customer (Trackunit style, the tenant's setting of schema
-- 0021); Northwind Construction's, in Danish.
INSERT OR IGNORE INTO tenants (id, slug, name, parent_id, one_portal_per_customer, created_at, updated_at) VALUES
  ('b0000000-0000-4000-8000-000000000001', 'nordic-rentals', 'Nordic Rentals', NULL, 1, 1767225600000, 1767225600000);
INSERT OR IGNORE INTO customers (id, tenant_id, name, created_at, updated_at) VALUES
  ('b0000000-0000-4000-8000-0000000000c1', 'b0000000-0000-4000-8000-000000000001', 'Northwind Construction', 1767225600000, 1767225600000);
INSERT OR IGNORE INTO business_units (id, tenant_id, customer_id, name, created_at) VALUES
  ('b0000000-0000-4000-8000-0000000000b1', 'b0000000-0000-4000-8000-000000000001', 'b0000000-0000-4000-8000-0000000000c1', 'Aarhus depot', 1767225600000),
  ('b0000000-0000-4000-8000-0000000000b2', 'b0000000-0000-4000-8000-000000000001', 'b0000000-0000-4000-8000-0000000000c1', 'Copenhagen depot', 1767225600000);
INSERT OR IGNORE INTO themes (id, tenant_id, name, primary_color, menu_color, notification_color, background_color, text_color,
                              logo_small_key, logo_small_type, logo_large_key, logo_large_type, version, created_at, updated_at) VALUES
  ('b0000000-0000-4000-8000-0000000000e1', 'b0000000-0000-4000-8000-000000000001', 'Nordic Blue',
   '#0b5cad', '#0f2a44', '#e0a100', '#f7f9fb', '#14202b',
   'seed/nordic-logo.svg', 'image/svg+xml', NULL, NULL, 1, 1767225600000, 1767225600000);
INSERT OR IGNORE INTO portals (id, tenant_id, slug, name, page_title, default_language, customer_id, theme_id, enabled, created_at, updated_at) VALUES
  ('b0000000-0000-4000-8000-0000000000f1', 'b0000000-0000-4000-8000-000000000001', 'northwind', 'Northwind Construction',
   'Northwind · Nordic Rentals', 'da', 'b0000000-0000-4000-8000-0000000000c1', 'b0000000-0000-4000-8000-0000000000e1', 1, 1767225600000, 1767225600000);
INSERT OR IGNORE INTO domains (hostname, tenant_id, portal_id, status, verification_token, verified_at, created_at) VALUES
  ('northwind.localhost', 'b0000000-0000-4000-8000-000000000001', 'b0000000-0000-4000-8000-0000000000f1', 'active',
   'porch-verify=demo-northwind', 1767225600000, 1767225600000);

-- Who may join (schema 0002). Acme lets anyone register with a verified email; Northwind is
-- by invitation. Guarded by version 0, so a second run (or a provider's later edit) is kept.
UPDATE portals SET join_policy = 'open',
  terms_text = 'Acme Support terms: use this portal for your company''s support requests only, and keep your password to yourself.',
  terms_version = 1,
  consent_text = 'Acme Support keeps your name and email address to run this portal and to answer your requests.',
  consent_version = 1
  WHERE id = 'a0000000-0000-4000-8000-0000000000f1' AND terms_version = 0;
UPDATE portals SET
  terms_text = 'Vilkår for Nordic Rentals kundeportal: portalen må kun bruges af Northwind Constructions medarbejdere.',
  terms_version = 1,
  consent_text = 'Nordic Rentals gemmer dit navn og din e-mailadresse for at drive portalen.',
  consent_version = 1
  WHERE id = 'b0000000-0000-4000-8000-0000000000f1' AND terms_version = 0;

-- Tickets (schema 0003–0005): each tenant has a Support pipeline and an inbox, and its portal
-- files support requests there. Acme shows stage names and asks for the priority; Northwind
-- lets its people see all of Northwind's tickets and refuses replies to closed ones.
INSERT OR IGNORE INTO pipelines (id, tenant_id, name, created_at, updated_at) VALUES
  ('a0000000-0000-4000-8000-0000000000a1', 'a0000000-0000-4000-8000-000000000001', 'Support', 1767225600000, 1767225600000),
  ('b0000000-0000-4000-8000-0000000000a1', 'b0000000-0000-4000-8000-000000000001', 'Service', 1767225600000, 1767225600000);
INSERT OR IGNORE INTO stages (id, tenant_id, pipeline_id, name, position, is_closed, notify_requester) VALUES
  ('a0000000-0000-4000-8000-0000000000d1', 'a0000000-0000-4000-8000-000000000001', 'a0000000-0000-4000-8000-0000000000a1', 'New', 0, 0, 0),
  ('a0000000-0000-4000-8000-0000000000d2', 'a0000000-0000-4000-8000-000000000001', 'a0000000-0000-4000-8000-0000000000a1', 'Waiting on you', 1, 0, 1),
  ('a0000000-0000-4000-8000-0000000000d3', 'a0000000-0000-4000-8000-000000000001', 'a0000000-0000-4000-8000-0000000000a1', 'Solved', 2, 1, 1),
  ('b0000000-0000-4000-8000-0000000000d1', 'b0000000-0000-4000-8000-000000000001', 'b0000000-0000-4000-8000-0000000000a1', 'Ny', 0, 0, 0),
  ('b0000000-0000-4000-8000-0000000000d2', 'b0000000-0000-4000-8000-000000000001', 'b0000000-0000-4000-8000-0000000000a1', 'Løst', 1, 1, 1);
INSERT OR IGNORE INTO inboxes (id, tenant_id, name, notify_email, created_at, updated_at) VALUES
  ('a0000000-0000-4000-8000-0000000000a2', 'a0000000-0000-4000-8000-000000000001', 'Support', 'support@acme.example', 1767225600000, 1767225600000),
  ('b0000000-0000-4000-8000-0000000000a2', 'b0000000-0000-4000-8000-000000000001', 'Service desk', 'service@nordic-rentals.example', 1767225600000, 1767225600000);
UPDATE portals SET ticket_inbox_id = 'a0000000-0000-4000-8000-0000000000a2',
  ticket_pipeline_id = 'a0000000-0000-4000-8000-0000000000a1', ticket_status_display = 'stages',
  support_form_json = '[{"property":"priority","required":false,"labels":{"en":"How urgent is it?"}}]'
  WHERE id = 'a0000000-0000-4000-8000-0000000000f1' AND ticket_inbox_id IS NULL;
UPDATE portals SET ticket_inbox_id = 'b0000000-0000-4000-8000-0000000000a2',
  ticket_pipeline_id = 'b0000000-0000-4000-8000-0000000000a1', ticket_visibility = 'organisation',
  ticket_closed_replies = 'refuse'
  WHERE id = 'b0000000-0000-4000-8000-0000000000f1' AND ticket_inbox_id IS NULL;
