-- 02-validate.sql: phase validate of a pgphase plan.
-- Runs in one transaction: it applies completely or not at all.
-- Apply with: psql -v ON_ERROR_STOP=1 -f 02-validate.sql
-- Safe to run again after a failure: each statement skips what is already done.

BEGIN;
SET LOCAL lock_timeout = '5s';
SET LOCAL statement_timeout = '0';

-- public.accounts.nickname: SHARE UPDATE EXCLUSIVE (blocks other DDL and VACUUM, not reads or writes), scans the table, ~250 rows (estimate)
-- scans the table without blocking reads or writes; fails if a NULL remains
DO $guard$
BEGIN
  IF EXISTS (SELECT 1 FROM pg_catalog.pg_constraint WHERE conrelid = 'public.accounts'::regclass AND conname = 'accounts_nickname_not_null') THEN
    ALTER TABLE public.accounts VALIDATE CONSTRAINT accounts_nickname_not_null;
  END IF;
END
$guard$;

-- public.accounts.nickname: ACCESS EXCLUSIVE (blocks reads and writes), metadata only
-- brief: the validated check proves no row is NULL, so there is no scan
ALTER TABLE public.accounts ALTER COLUMN nickname SET NOT NULL;

-- public.accounts.nickname: ACCESS EXCLUSIVE (blocks reads and writes), metadata only
-- brief
ALTER TABLE public.accounts DROP CONSTRAINT IF EXISTS accounts_nickname_not_null;

COMMIT;
