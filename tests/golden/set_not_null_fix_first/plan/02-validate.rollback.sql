-- 02-validate.rollback.sql: phase validate of a pgphase plan.
-- Runs in one transaction: it applies completely or not at all.
-- Apply with: psql -v ON_ERROR_STOP=1 -f 02-validate.rollback.sql
-- Safe to run again after a failure: each statement skips what is already done.
-- Undoes 02-validate.sql: returns the schema to what it was before that file ran.

BEGIN;
SET LOCAL lock_timeout = '5s';
SET LOCAL statement_timeout = '0';

-- public.accounts.nickname: ACCESS EXCLUSIVE (blocks reads and writes), metadata only
-- brief, metadata only
ALTER TABLE public.accounts ALTER COLUMN nickname DROP NOT NULL;

-- public.accounts.nickname: ACCESS EXCLUSIVE (blocks reads and writes), metadata only
-- back to the unvalidated check
DO $guard$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_constraint WHERE conrelid = 'public.accounts'::regclass AND conname = 'accounts_nickname_not_null') THEN
    ALTER TABLE public.accounts ADD CONSTRAINT accounts_nickname_not_null CHECK (nickname IS NOT NULL) NOT VALID;
  END IF;
END
$guard$;

COMMIT;
