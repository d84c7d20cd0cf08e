-- A portal's time zone by IANA name (`Europe/Copenhagen`), with its summer time, from the
-- worker's built-in table of current rules (src/domain/time_zone.rs). NULL: the fixed offset
-- in `time_zone`, as before. With a name, `time_zone` keeps the zone's standard offset.
-- The name is checked against the table by the API, which is the only writer.
ALTER TABLE portals ADD COLUMN time_zone_name TEXT CHECK (time_zone_name IS NULL OR length(time_zone_name) BETWEEN 1 AND 64);
