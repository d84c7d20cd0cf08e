-- The Trackunit-style demo portal (local demo data only): Nordic Rentals sells every app,
-- its "Fleet portal" template (the default) sets up Northwind's portal with the equipment
-- pages first, ~40 machines are shared with Northwind Construction, and months of activity
-- up to the moment this runs are generated here in SQL. Idempotent like demo.sql: fixed ids,
-- INSERT OR IGNORE, event ids from the absolute day (epoch day number), so running it again
-- adds only the rows of the hours since the last run and changes nothing else.

-- Plans (schema 0007): both demo tenants may offer every app. Acme's portal offers what every
-- portal offered before apps existed, as migration 0007 gives existing portals.
INSERT OR IGNORE INTO tenant_plan_apps (tenant_id, app)
SELECT t.column1, a.column1
FROM (VALUES ('a0000000-0000-4000-8000-000000000001'), ('b0000000-0000-4000-8000-000000000001')) t,
     (VALUES ('tickets'), ('support_form'), ('equipment'), ('activity'), ('reports'), ('documents')) a;
INSERT OR IGNORE INTO portal_apps (tenant_id, portal_id, app)
SELECT 'a0000000-0000-4000-8000-000000000001', 'a0000000-0000-4000-8000-0000000000f1', a.column1
FROM (VALUES ('tickets'), ('support_form')) a;

-- The template (schema 0010), exactly as the API writes one: a row, its version 1 (apps in
-- catalogue order, navigation in menu order), and the linked portal carrying that version.
INSERT OR IGNORE INTO templates (id, tenant_id, name, description, is_default, current_version, created_at, updated_at) VALUES
  ('b0000000-0000-4000-8000-000000000071', 'b0000000-0000-4000-8000-000000000001', 'Fleet portal',
   'Equipment first: the fleet, its activity and utilisation, documents and service requests.', 1, 1,
   1767225600000, 1767225600000);
INSERT OR IGNORE INTO template_versions (tenant_id, template_id, version, apps_json, theme_id, start_page, navigation_json, created_at, created_by) VALUES
  ('b0000000-0000-4000-8000-000000000001', 'b0000000-0000-4000-8000-000000000071', 1,
   '["tickets","support_form","equipment","activity","reports","documents"]', 'b0000000-0000-4000-8000-0000000000e1',
   '/equipment', '["equipment","activity","reports","documents","tickets","support_form"]', 1767225600000, 'platform');
-- Linked once: a provider's later change of the portal (or its template) is kept.
UPDATE portals SET template_id = 'b0000000-0000-4000-8000-000000000071', theme_id = 'b0000000-0000-4000-8000-0000000000e1',
  start_page = '/equipment', navigation_json = '["equipment","activity","reports","documents","tickets","support_form"]',
  time_zone = 60, time_zone_name = 'Europe/Copenhagen'
  WHERE id = 'b0000000-0000-4000-8000-0000000000f1' AND template_id IS NULL AND start_page IS NULL;
INSERT OR IGNORE INTO portal_apps (tenant_id, portal_id, app)
SELECT p.tenant_id, p.id, a.value FROM portals p, json_each(
  (SELECT apps_json FROM template_versions WHERE tenant_id = p.tenant_id AND template_id = p.template_id AND version = 1)) a
WHERE p.id = 'b0000000-0000-4000-8000-0000000000f1' AND p.template_id = 'b0000000-0000-4000-8000-000000000071';

-- The demo recipient: a member of Northwind Construction who has accepted the portal's
-- terms, password "northwind-demo" (an Argon2id PHC string made by porch's own hasher).
INSERT OR IGNORE INTO accounts (id, tenant_id, portal_id, customer_id, email, name, role, password_hash, language,
                                email_verified_at, terms_version, terms_accepted_at, consent_version, consent_given_at,
                                created_at, updated_at) VALUES
  ('b0000000-0000-4000-8000-000000000091', 'b0000000-0000-4000-8000-000000000001', 'b0000000-0000-4000-8000-0000000000f1',
   'b0000000-0000-4000-8000-0000000000c1', 'demo@northwind.example', 'Dorte Demo', 'member',
   '$argon2id$v=19$m=19456,t=2,p=1$cG9yY2gtZGVtby1zYWx0IQ$tMXxPbftZ24IRN9fQEGlSGT2n5GK9/3Lxza1sUuhdAs', 'da',
   1767225600000, 1, 1767225600000, 1, 1767225600000, 1767225600000, 1767225600000);

-- The fleet. Ids end in the machine's number n (0001–0042), which also seeds its pattern of
-- work below. b1: Aarhus depot, b2: Copenhagen depot, NULL: no unit; 41 and 42 are in the
-- rental yard (no customer), never shared.
INSERT OR IGNORE INTO assets (id, tenant_id, asset_key, name, serial_number, make, model, asset_type,
                              customer_id, business_unit_id, created_at, updated_at)
SELECT printf('b0000000-0000-4000-8000-00000a00%04d', f.column1), 'b0000000-0000-4000-8000-000000000001',
       f.column2, f.column3, f.column4, f.column5, f.column6, f.column7,
       CASE WHEN f.column8 = 'yard' THEN NULL ELSE 'b0000000-0000-4000-8000-0000000000c1' END,
       CASE f.column8 WHEN 'b1' THEN 'b0000000-0000-4000-8000-0000000000b1'
                      WHEN 'b2' THEN 'b0000000-0000-4000-8000-0000000000b2' END,
       1767225600000, 1767225600000
FROM (VALUES
  (1,  'NR-EX-1001', 'Excavator 21 t #1',       'CAT0320GKTF01234', 'Caterpillar', '320 GC',     'Excavator',          'b1'),
  (2,  'NR-EX-1002', 'Excavator 21 t #2',       'CAT0320GKTF01877', 'Caterpillar', '320 GC',     'Excavator',          'b1'),
  (3,  'NR-EX-1003', 'Excavator 14 t',          'VCEC140EK0031122', 'Volvo',       'EC140E',     'Excavator',          'b2'),
  (4,  'NR-EX-1004', 'Excavator 30 t',          'KMTPC290K61503',   'Komatsu',     'PC290LC-11', 'Excavator',          'b2'),
  (5,  'NR-EX-1005', 'Mini excavator 1.8 t #1', 'KUBU17-3A50412',   'Kubota',      'U17-3',      'Mini excavator',     'b1'),
  (6,  'NR-EX-1006', 'Mini excavator 1.8 t #2', 'KUBU17-3A50977',   'Kubota',      'U17-3',      'Mini excavator',     'b2'),
  (7,  'NR-EX-1007', 'Midi excavator 6 t',      'TAKTB260C0002311', 'Takeuchi',    'TB260',      'Excavator',          'b2'),
  (8,  'NR-EX-1008', 'Wheeled excavator 16 t',  'LH0A918C1J44120',  'Liebherr',    'A 918',      'Wheeled excavator',  'b1'),
  (9,  'NR-EX-1009', 'Mini excavator 3 t',      'JCB03CXT2750611',  'JCB',         '35Z-1',      'Mini excavator',     NULL),
  (10, 'NR-WL-2001', 'Wheel loader 20 t',       'VCEL120HV0091870', 'Volvo',       'L120H',      'Wheel loader',       'b1'),
  (11, 'NR-WL-2002', 'Wheel loader 13 t',       'CAT0938MJRH00412', 'Caterpillar', '938M',       'Wheel loader',       'b2'),
  (12, 'NR-WL-2003', 'Compact loader 5 t',      'LH0L506CB1001285', 'Liebherr',    'L 506',      'Wheel loader',       'b1'),
  (13, 'NR-WL-2004', 'Wheel loader 8 t',        'KMTWA200L81177',   'Komatsu',     'WA200-8',    'Wheel loader',       'b2'),
  (14, 'NR-WL-2005', 'Skid steer loader',       'BOBS650B3ZR1188',  'Bobcat',      'S650',       'Skid steer loader',  'b2'),
  (15, 'NR-TH-3001', 'Telehandler 14 m #1',     'JCB5400PT2780133', 'JCB',         '540-140',    'Telehandler',        'b1'),
  (16, 'NR-TH-3002', 'Telehandler 14 m #2',     'JCB5400PT2780841', 'JCB',         '540-140',    'Telehandler',        'b2'),
  (17, 'NR-TH-3003', 'Telehandler 18 m',        'MNTMT1840E00912',  'Manitou',     'MT 1840',    'Telehandler',        'b2'),
  (18, 'NR-TH-3004', 'Rotating telehandler',    'MRTR2145R0004411', 'Manitou',     'MRT 2145',   'Telehandler',        'b1'),
  (19, 'NR-TH-3005', 'Telehandler 10 m',        'MRLTH3510R12004',  'Merlo',       'P 35.10',    'Telehandler',        NULL),
  (20, 'NR-DU-4001', 'Site dumper 6 t #1',      'WNDDV60S0PAL0312', 'Wacker Neuson','DV60',      'Dumper',             'b1'),
  (21, 'NR-DU-4002', 'Site dumper 6 t #2',      'WNDDV60S0PAL0790', 'Wacker Neuson','DV60',      'Dumper',             'b2'),
  (22, 'NR-DU-4003', 'Track dumper 3 t',        'YNMC30R3B100455',  'Yanmar',      'C30R-3',     'Dumper',             'b1'),
  (23, 'NR-DU-4004', 'Articulated hauler 28 t', 'VCEA28GV0041002',  'Volvo',       'A28G',       'Articulated hauler', 'b2'),
  (24, 'NR-DU-4005', 'Site dumper 9 t',         'THW9000PTA7711',   'Thwaites',    '9 t',        'Dumper',             'b2'),
  (25, 'NR-GE-5001', 'Generator 100 kVA',       'ATC-QAS100-88412', 'Atlas Copco', 'QAS 100',    'Generator',          'b1'),
  (26, 'NR-GE-5002', 'Generator 60 kVA',        'ATC-QAS60-87150',  'Atlas Copco', 'QAS 60',     'Generator',          'b2'),
  (27, 'NR-GE-5003', 'Generator 20 kVA',        'PRK-P22-6GJ2001',  'Perkins',     'P22-6',      'Generator',          'b2'),
  (28, 'NR-GE-5004', 'Generator 200 kVA',       'CAT-DE200E0-5512', 'Caterpillar', 'DE200 GC',   'Generator',          'b1'),
  (29, 'NR-CO-6001', 'Compressor 7 m³',         'ATC-XAS88-71200',  'Atlas Copco', 'XAS 88',     'Compressor',         'b1'),
  (30, 'NR-CO-6002', 'Compressor 5 m³',         'KAE-M50-1102337',  'Kaeser',      'M 50',       'Compressor',         'b2'),
  (31, 'NR-CO-6003', 'Compressor 12 m³',        'DSN-PDS390S-9051', 'Doosan',      '14/115',     'Compressor',         NULL),
  (32, 'NR-LT-7001', 'Light tower #1',          'GEN-VT1-2204419',  'Generac',     'VT-Hybrid',  'Light tower',        'b1'),
  (33, 'NR-LT-7002', 'Light tower #2',          'GEN-VT1-2204420',  'Generac',     'VT-Hybrid',  'Light tower',        'b2'),
  (34, 'NR-LT-7003', 'Light tower #3',          'ATC-HILT-E3-0871', 'Atlas Copco', 'HiLight E3+','Light tower',        'b2'),
  (35, 'NR-RO-8001', 'Soil compactor 12 t',     'HAMH12I-H2020881', 'Hamm',        'H 12i',      'Roller',             'b1'),
  (36, 'NR-RO-8002', 'Tandem roller 2.5 t',     'BOMBW120AD5-4412', 'Bomag',       'BW 120 AD-5','Roller',             'b2'),
  (37, 'NR-RO-8003', 'Plate compactor',         'WNDDPU6555-30781', 'Wacker Neuson','DPU 6555',  'Compactor',          'b1'),
  (38, 'NR-LF-9001', 'Scissor lift 12 m',       'GNIGS4069-190441', 'Genie',       'GS-4069 DC', 'Scissor lift',       'b2'),
  (39, 'NR-LF-9002', 'Boom lift 20 m',          'JLG600AJ-0300288', 'JLG',         '600AJ',      'Boom lift',          'b1'),
  (40, 'NR-LF-9003', 'Scissor lift 8 m',        'SKYSJ3226-702155', 'Skyjack',     'SJ3226',     'Scissor lift',       'b2'),
  (41, 'NR-EX-1010', 'Excavator 25 t',          'HYNHX250A-00712',  'Hyundai',     'HX250A',     'Excavator',          'yard'),
  (42, 'NR-WL-2006', 'Wheel loader 15 t',       'DVLWL150-00441',   'Develon',     'DL250-7',    'Wheel loader',       'yard')
) f;

-- The shares: the first run's day (relative to now) minus a per-machine number of days, so the
-- rentals began on different dates over the last five months. 12 and 33 were returned three
-- weeks ago; 33 came back ten days ago on a new share.
INSERT OR IGNORE INTO asset_shares (id, tenant_id, asset_id, customer_id, from_at, until_at, created_at)
SELECT printf('b0000000-0000-4000-8000-00000b00%04d', n), 'b0000000-0000-4000-8000-000000000001',
       printf('b0000000-0000-4000-8000-00000a00%04d', n), 'b0000000-0000-4000-8000-0000000000c1',
       today - (30 + (n * 37) % 120) * 86400000,
       CASE WHEN n IN (12, 33) THEN today - 21 * 86400000 END,
       today - (30 + (n * 37) % 120) * 86400000
FROM (WITH RECURSIVE k(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM k WHERE n < 40) SELECT n FROM k),
     (SELECT CAST(strftime('%s', 'now') AS INTEGER) / 86400 * 86400000 AS today);
INSERT OR IGNORE INTO asset_shares (id, tenant_id, asset_id, customer_id, from_at, until_at, created_at)
SELECT 'b0000000-0000-4000-8000-00000b010033', 'b0000000-0000-4000-8000-000000000001',
       'b0000000-0000-4000-8000-00000a000033', 'b0000000-0000-4000-8000-0000000000c1',
       today - 10 * 86400000, NULL, today - 10 * 86400000
FROM (SELECT CAST(strftime('%s', 'now') AS INTEGER) / 86400 * 86400000 AS today);

-- The activity of the last 150 days, up to now, of all 42 machines (shares decide what
-- Northwind sees). Per machine n and day d (days since the epoch; d % 7 is 0 on a Thursday):
-- no work on Saturdays and Sundays nor in the machine's idle weeks, else a shift from about
-- 06:00 Danish time of `w` hours (its usual length, 2–9 h, ±1); generators, compressors and
-- light towers run less often. A working day has a start, a meter reading each hour, a stop;
-- every day has a position near the depot; now and then an alert. The engine-hours meter
-- counts on from a per-machine base through the days worked since 2026-01-01 (a running sum),
-- so a run on a later day writes the same readings for the days already there.
INSERT OR IGNORE INTO asset_activity (tenant_id, asset_id, at, event_id, kind, hours_milli, lat_e7, lon_e7, message, received_at)
WITH RECURSIVE
  clock(now, today) AS (SELECT CAST(strftime('%s', 'now') AS INTEGER) * 1000, CAST(strftime('%s', 'now') AS INTEGER) / 86400),
  -- From a fixed day (2026-01-01), not from "150 days ago": the meter's running sum must
  -- start on the same day at every run, or a later run would write lower readings.
  days(d) AS (SELECT 20454 UNION ALL SELECT d + 1 FROM days, clock WHERE d < today),
  slots(s) AS (SELECT -2 UNION ALL SELECT s + 1 FROM slots WHERE s < 11),
  fleet(id, n, lat, lon) AS (
    SELECT a.id, CAST(substr(a.id, 33) AS INTEGER),
           CASE a.business_unit_id WHEN 'b0000000-0000-4000-8000-0000000000b2' THEN 556761000 ELSE 561629000 END,
           CASE a.business_unit_id WHEN 'b0000000-0000-4000-8000-0000000000b2' THEN 125683000 ELSE 102039000 END
    FROM assets a WHERE a.tenant_id = 'b0000000-0000-4000-8000-000000000001' AND a.id LIKE 'b0000000-0000-4000-8000-00000a00%'),
  work(id, n, lat, lon, d, w) AS (
    SELECT id, n, lat, lon, d,
           CASE WHEN (d + 3) % 7 >= 5 THEN 0                                      -- weekend
                WHEN (n * 3 + (d / 7) * 11) % 13 = 0 THEN 0                       -- an idle week
                WHEN n BETWEEN 25 AND 34 AND (n + d) % 3 = 0 THEN 0               -- standby kit
                ELSE max(1, 2 + (n * 5) % 8 + (n * 31 + d * 17) % 3 - 1) END
    FROM fleet, days),
  meter(id, n, lat, lon, d, w, before) AS (
    SELECT id, n, lat, lon, d, w,
           (800 + n * 137) + sum(w) OVER (PARTITION BY id ORDER BY d ROWS UNBOUNDED PRECEDING) - w
    FROM work),
  events(id, n, lat, lon, d, s, w, at, before) AS (
    -- The shift starts at 05:00 UTC plus a quarter hour per machine (n % 4).
    SELECT id, n, lat, lon, d, s, w,
           CASE WHEN s = -1 THEN d * 86400000 + 11 * 3600000 + n * 60000
                ELSE d * 86400000 + 5 * 3600000 + (n % 4) * 900000 + min(max(s, 0), w) * 3600000 + (s < 0) * 1800000 END,
           before
    FROM meter, slots
    WHERE s = -1
       OR (w > 0 AND s BETWEEN 0 AND w + 1)
       OR (w > 0 AND s = -2 AND (n * 13 + d * 7) % 61 = 0))
SELECT 'b0000000-0000-4000-8000-000000000001', id, at,
       CASE WHEN s = -2 THEN 'seed-alert-' WHEN s = -1 THEN 'seed-pos-' WHEN s = 0 THEN 'seed-start-'
            WHEN s = w + 1 THEN 'seed-stop-' ELSE 'seed-hours-' || s || '-' END || d,
       CASE WHEN s = -2 THEN 'alert' WHEN s = -1 THEN 'position' WHEN s = 0 THEN 'start'
            WHEN s = w + 1 THEN 'stop' ELSE 'hours' END,
       CASE WHEN s BETWEEN 1 AND w THEN (before + s) * 1000 END,
       CASE WHEN s = -1 THEN lat + (n * 7919 + d * 104729) % 200000 - 100000 END,
       CASE WHEN s = -1 THEN lon + (n * 104729 + d * 7919) % 300000 - 150000 END,
       CASE WHEN s = -2 THEN CASE (n + d) % 4 WHEN 0 THEN 'Service due in 50 operating hours'
                                             WHEN 1 THEN 'Low fuel level'
                                             WHEN 2 THEN 'Engine coolant temperature high'
                                             ELSE 'Left the site geofence' END END,
       at
FROM events, clock
WHERE at <= clock.now AND d >= clock.today - 150;

-- Documents (schema 0011): the rental agreement for Northwind, and the quick guide of the
-- first excavator (seen while that machine is shared). Their files are put in R2 by
-- scripts/seed under these keys.
INSERT OR IGNORE INTO documents (id, tenant_id, customer_id, asset_id, title, category, filename, content_type, size,
                                 r2_key, created_at, updated_at) VALUES
  ('b0000000-0000-4000-8000-0000000000d8', 'b0000000-0000-4000-8000-000000000001', 'b0000000-0000-4000-8000-0000000000c1', NULL,
   'Rental agreement 2026', 'other', 'rental-agreement-2026.pdf', 'application/pdf', 847,
   'seed/documents/demo-rental-agreement.pdf', 1767225600000, 1767225600000),
  ('b0000000-0000-4000-8000-0000000000d9', 'b0000000-0000-4000-8000-000000000001', NULL, 'b0000000-0000-4000-8000-00000a000001',
   'Operator''s quick guide, Caterpillar 320 GC', 'manual', 'cat-320gc-quick-guide.pdf', 'application/pdf', 884,
   'seed/documents/demo-manual-320gc.pdf', 1767225600000, 1767225600000);
