-- A portal's time zone for the pages that show local days and times (equipment activity,
-- utilisation reports): a fixed offset from UTC in minutes east, UTC-12:00 to UTC+14:00.
-- Default UTC, which is what every page showed before.
ALTER TABLE portals ADD COLUMN time_zone INTEGER NOT NULL DEFAULT 0 CHECK (time_zone BETWEEN -720 AND 840);
