-- The ticket benchmark data (scripts/bench --tickets, through scripts/bench-seed): in the demo
-- tenant Acme Support, for the customer __CUSTOMER__ of the bench recipient __ACCOUNT__,
-- 100,000 tickets in a five-stage pipeline with 10 messages each (1,000,000 messages, about
-- one in ten an internal note), and 49 colleagues of the bench recipient who request most
-- of them (the bench recipient requests every 20th). Made by recursive CTEs in SQL: the
-- search triggers of schema 0005 index subjects and public messages as the rows go in.
-- Deterministic: a multiplicative hash of the row number picks every choice, so each run
-- seeds the same rows. Message bodies are four eight-word phrases (4096 phrases of a
-- 213-word vocabulary) around one of 100 rarer words, so each rarer word (impeller, gasket,
-- ...) is in 1 percent of messages while each vocabulary word is in about one in seven.
-- Times: ticket n is created at 2024-12-25 13:20 UTC plus n times 10 minutes (the last on
-- 2026-11-20), its last activity up to 30 days later (its tenth message), so the activity
-- order differs from the creation order. Expects a fresh bench state: the tickets take the
-- numbers after the tenant's last one, but their ids are fixed.

CREATE TABLE bench_words (i INTEGER PRIMARY KEY, w TEXT NOT NULL);
INSERT INTO bench_words (i, w) SELECT key, value FROM json_each('[
  "pump","valve","sensor","pressure","temperature","reading","display","alarm","error","code",
  "restart","reset","firmware","update","install","configure","network","connection","gateway",
  "router","cable","power","supply","battery","charger","voltage","motor","engine","hydraulic",
  "filter","oil","leak","noise","vibration","bearing","belt","chain","gear","shaft","seal","hose",
  "fitting","bracket","panel","screen","button","switch","relay","fuse","circuit","breaker",
  "controller","module","board","unit","machine","device","tool","part","order","delivery",
  "shipment","invoice","quote","contract","warranty","service","visit","technician","engineer",
  "schedule","appointment","site","depot","warehouse","office","customer","account","user",
  "password","login","access","permission","report","export","dashboard","data","log","file",
  "upload","download","email","phone","message","request","question","issue","problem","fault",
  "failure","damage","replacement","repair","inspection","maintenance","calibration","test",
  "result","check","status","working","stopped","slow","fast","intermittent","again","still",
  "since","yesterday","today","morning","afternoon","evening","week","month","after","before",
  "during","while","please","thanks","could","would","should","need","help","urgent","soon","asap",
  "confirm","attached","photo","picture","manual","instructions","spare","stock","available",
  "price","cost","budget","approval","manager","team","operator","driver","crane","excavator",
  "loader","generator","compressor","forklift","trailer","truck","container","tank","fuel","level",
  "flow","rate","hours","counter","meter","gps","location","tracking","position","signal","antenna",
  "sim","card","mobile","app","browser","portal","version","release","patch","setting","option",
  "value","limit","threshold","warning","notice","the","and","with","from","our","your","we","is",
  "not","on","in","at","for","to","of","it","this","that"
]');
CREATE TABLE bench_rare (i INTEGER PRIMARY KEY, w TEXT NOT NULL);
INSERT INTO bench_rare (i, w) SELECT key, value FROM json_each('[
  "impeller","gasket","manifold","solenoid","thermostat","carburetor","alternator","radiator",
  "turbocharger","crankshaft","camshaft","piston","cylinder","injector","nozzle","diaphragm",
  "bellows","coupling","flange","grommet","bushing","washer","sprocket","pulley","tensioner",
  "actuator","encoder","resolver","inverter","rectifier","transformer","capacitor","resistor",
  "inductor","thermistor","potentiometer","rheostat","ammeter","voltmeter","ohmmeter","multimeter",
  "oscilloscope","spectrometer","hygrometer","barometer","anemometer","tachometer","odometer",
  "speedometer","altimeter","gyroscope","accelerometer","magnetometer","inclinometer","manometer",
  "flowmeter","viscometer","densitometer","refractometer","pyrometer","lubricator","atomizer",
  "nebulizer","humidifier","ventilator","condenser","evaporator","economizer","desuperheater",
  "deaerator","separator","scrubber","cyclone","hopper","auger","conveyor","elevator","escalator",
  "winch","hoist","dynamo","stator","rotor","armature","commutator","brushholder","slipring",
  "busbar","switchgear","contactor","interlock","limiter","governor","damper","louver","baffle",
  "shroud","housing","casing","chassis"
]');
-- Phrase p: eight vocabulary words picked by the hash of (p, j).
CREATE TABLE bench_phrases (i INTEGER PRIMARY KEY, text TEXT NOT NULL);
INSERT INTO bench_phrases (i, text)
  WITH RECURSIVE build(p, j, text) AS (
    SELECT p, 0, (SELECT w FROM bench_words WHERE i = (p * 8) * 2654435761 % 4294967296 / 65536 % 213)
      FROM (WITH RECURSIVE ps(p) AS (SELECT 0 UNION ALL SELECT p + 1 FROM ps WHERE p < 4095) SELECT p FROM ps)
    UNION ALL
    SELECT p, j + 1, text || ' ' || (SELECT w FROM bench_words WHERE i = (p * 8 + j + 1) * 2654435761 % 4294967296 / 65536 % 213)
      FROM build WHERE j < 7)
  SELECT p, text FROM build WHERE j = 7;

INSERT OR IGNORE INTO pipelines (id, tenant_id, name, created_at, updated_at) VALUES
  ('e0000000-0000-4000-8000-0000000000a1', 'a0000000-0000-4000-8000-000000000001', 'Bench support', 1735132800000, 1735132800000);
INSERT OR IGNORE INTO stages (id, tenant_id, pipeline_id, name, position, is_closed) VALUES
  ('e0000000-0000-4000-8000-0000000000b1', 'a0000000-0000-4000-8000-000000000001', 'e0000000-0000-4000-8000-0000000000a1', 'New', 0, 0),
  ('e0000000-0000-4000-8000-0000000000b2', 'a0000000-0000-4000-8000-000000000001', 'e0000000-0000-4000-8000-0000000000a1', 'In progress', 1, 0),
  ('e0000000-0000-4000-8000-0000000000b3', 'a0000000-0000-4000-8000-000000000001', 'e0000000-0000-4000-8000-0000000000a1', 'Waiting on customer', 2, 0),
  ('e0000000-0000-4000-8000-0000000000b4', 'a0000000-0000-4000-8000-000000000001', 'e0000000-0000-4000-8000-0000000000a1', 'Resolved', 3, 1),
  ('e0000000-0000-4000-8000-0000000000b5', 'a0000000-0000-4000-8000-000000000001', 'e0000000-0000-4000-8000-0000000000a1', 'Closed', 4, 1);

-- The bench recipient's 49 colleagues: accounts of the same customer (single sign-on
-- people, no password), requesters of the tickets the bench recipient did not request.
INSERT OR IGNORE INTO accounts (id, tenant_id, portal_id, customer_id, email, name, role, created_at, updated_at)
  WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c WHERE i < 49)
  SELECT printf('e3000000-0000-4000-8000-%012x', i), 'a0000000-0000-4000-8000-000000000001',
         'a0000000-0000-4000-8000-0000000000f1', '__CUSTOMER__', printf('colleague%d@bench.example', i),
         printf('Colleague %d', i), 'member', 1735132800000, 1735132800000
  FROM c;

-- h1: how long the ticket stayed active, h2: its stage, h3: its priority, h4: its subject.
INSERT INTO tickets (id, tenant_id, number, subject, priority, pipeline_id, stage_id, inbox_id, customer_id,
                     portal_id, requester_account_id, requester_name, created_at, updated_at, last_activity_at)
  WITH RECURSIVE seq(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM seq WHERE n < 100000),
  base AS (SELECT COALESCE(MAX(number), 0) AS number FROM tickets WHERE tenant_id = 'a0000000-0000-4000-8000-000000000001'),
  drawn AS (
    SELECT n,
           n * 2654435761 % 4294967296 / 65536 AS h1,
           (n + 1000003) * 2654435761 % 4294967296 / 65536 % 100 AS h2,
           (n + 2000003) * 2654435761 % 4294967296 / 65536 % 100 AS h3,
           (n + 3000017) * 2654435761 % 4294967296 / 65536 % 4096 AS h4,
           1735132800000 + n * 600000 AS created_at
    FROM seq)
  SELECT printf('e1000000-0000-4000-8000-%012x', d.n), 'a0000000-0000-4000-8000-000000000001', base.number + d.n,
         upper(substr(p.text, 1, 1)) || substr(p.text, 2),
         CASE WHEN d.h3 < 20 THEN 'low' WHEN d.h3 < 75 THEN 'normal' WHEN d.h3 < 95 THEN 'high' ELSE 'urgent' END,
         'e0000000-0000-4000-8000-0000000000a1',
         CASE WHEN d.h2 < 15 THEN 'e0000000-0000-4000-8000-0000000000b1'
              WHEN d.h2 < 30 THEN 'e0000000-0000-4000-8000-0000000000b2'
              WHEN d.h2 < 40 THEN 'e0000000-0000-4000-8000-0000000000b3'
              WHEN d.h2 < 70 THEN 'e0000000-0000-4000-8000-0000000000b4'
              ELSE 'e0000000-0000-4000-8000-0000000000b5' END,
         NULL, '__CUSTOMER__', 'a0000000-0000-4000-8000-0000000000f1',
         CASE WHEN d.n % 20 = 0 THEN '__ACCOUNT__' ELSE printf('e3000000-0000-4000-8000-%012x', d.n % 49 + 1) END,
         CASE WHEN d.n % 20 = 0 THEN 'Bench' ELSE printf('Colleague %d', d.n % 49 + 1) END,
         d.created_at, d.created_at + d.h1 * 39550, d.created_at + d.h1 * 39550
  FROM drawn d CROSS JOIN base JOIN bench_phrases p ON p.i = d.h4;

INSERT INTO ticket_counters (tenant_id, last_number)
  SELECT tenant_id, MAX(number) FROM tickets WHERE tenant_id = 'a0000000-0000-4000-8000-000000000001'
  ON CONFLICT (tenant_id) DO UPDATE SET last_number = excluded.last_number;

-- Message k (0..9) of ticket n is message m = 10 (n - 1) + k, written at an even share of
-- the ticket's active time: the first is the requester's description, then agent and
-- requester take turns; about one in ten after the first is an agent's internal note.
INSERT INTO messages (id, tenant_id, ticket_id, thread, visibility, author_kind, author_id, author_name, body, created_at)
  WITH RECURSIVE seq(m) AS (SELECT 0 UNION ALL SELECT m + 1 FROM seq WHERE m < 999999),
  drawn AS (
    SELECT m, m / 10 + 1 AS n, m % 10 AS k,
           CASE WHEN m % 10 > 0 AND (m + 4000037) * 2654435761 % 4294967296 / 65536 % 10 = 0 THEN 1 ELSE 0 END AS internal,
           (m * 4 + 5000011) * 2654435761 % 4294967296 / 65536 % 4096 AS p1,
           (m * 4 + 5000012) * 2654435761 % 4294967296 / 65536 % 4096 AS p2,
           (m * 4 + 5000013) * 2654435761 % 4294967296 / 65536 % 4096 AS p3,
           (m * 4 + 5000014) * 2654435761 % 4294967296 / 65536 % 4096 AS p4,
           (m + 6000011) * 2654435761 % 4294967296 / 65536 % 100 AS r
    FROM seq)
  SELECT printf('e2000000-0000-4000-8000-%012x', d.m + 1), t.tenant_id, t.id, 1,
         CASE WHEN d.internal = 1 THEN 'internal' ELSE 'public' END,
         CASE WHEN d.internal = 0 AND d.k % 2 = 0 THEN 'recipient' ELSE 'agent' END,
         CASE WHEN d.internal = 0 AND d.k % 2 = 0 THEN t.requester_account_id ELSE 'platform' END,
         CASE WHEN d.internal = 0 AND d.k % 2 = 0 THEN t.requester_name ELSE 'Acme Support' END,
         a.text || ' ' || b.text || ' ' || r.w || ' ' || c.text || ' ' || e.text,
         t.created_at + (t.last_activity_at - t.created_at) * d.k / 9
  FROM drawn d
  JOIN tickets t ON t.tenant_id = 'a0000000-0000-4000-8000-000000000001' AND t.id = printf('e1000000-0000-4000-8000-%012x', d.n)
  JOIN bench_phrases a ON a.i = d.p1
  JOIN bench_phrases b ON b.i = d.p2
  JOIN bench_phrases c ON c.i = d.p3
  JOIN bench_phrases e ON e.i = d.p4
  JOIN bench_rare r ON r.i = d.r;

-- The portal shows a recipient their organisation's tickets too.
UPDATE portals SET ticket_visibility = 'organisation' WHERE id = 'a0000000-0000-4000-8000-0000000000f1';

DROP TABLE bench_phrases;
DROP TABLE bench_rare;
DROP TABLE bench_words;
