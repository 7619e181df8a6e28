-- 01-validate.rollback.sql: phase validate of a pgphase plan.
-- Runs in one transaction: it applies completely or not at all.
-- Apply with: psql -v ON_ERROR_STOP=1 -f 01-validate.rollback.sql
-- Safe to run again after a failure: each statement skips what is already done.
-- Undoes 01-validate.sql: returns the schema to what it was before that file ran.

BEGIN;
SET LOCAL lock_timeout = '5s';
SET LOCAL statement_timeout = '0';

-- public.bookings.bookings_no_overlap: ACCESS EXCLUSIVE (blocks reads and writes), metadata only
-- brief
ALTER TABLE public.bookings DROP CONSTRAINT IF EXISTS bookings_no_overlap;

COMMIT;
