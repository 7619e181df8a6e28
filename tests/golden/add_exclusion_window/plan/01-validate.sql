-- 01-validate.sql: phase validate of a pgphase plan.
-- Runs in one transaction: it applies completely or not at all.
-- Apply with: psql -v ON_ERROR_STOP=1 -f 01-validate.sql
-- Safe to run again after a failure: each statement skips what is already done.

BEGIN;
SET LOCAL lock_timeout = '5s';
SET LOCAL statement_timeout = '0';

-- public.bookings.bookings_no_overlap: ACCESS EXCLUSIVE (blocks reads and writes), scans the table, ~200 rows (estimate)
-- CANNOT BE MADE ONLINE: builds the exclusion index while reads and writes wait (no NOT VALID exists for exclusion constraints); fails on conflicting rows
DO $guard$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_constraint WHERE conrelid = 'public.bookings'::regclass AND conname = 'bookings_no_overlap') THEN
    ALTER TABLE public.bookings ADD CONSTRAINT bookings_no_overlap EXCLUDE USING gist (during WITH &&);
  END IF;
END
$guard$;

COMMIT;
