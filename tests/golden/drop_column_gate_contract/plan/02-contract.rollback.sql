-- 02-contract.rollback.sql: phase contract of a pgphase plan.
-- Runs in one transaction: it applies completely or not at all.
-- Apply with: psql -v ON_ERROR_STOP=1 -f 02-contract.rollback.sql
-- Safe to run again after a failure: each statement skips what is already done.
-- Undoes 02-contract.sql: returns the schema to what it was before that file ran.
--
-- What this does not bring back:
--   public.accounts.legacy_code: the column comes back empty: restore accounts.legacy_code from a backup taken before the contract phase; primary key and unique constraints on it are not re-created

BEGIN;
SET LOCAL lock_timeout = '5s';
SET LOCAL statement_timeout = '0';

-- public.accounts.legacy_code: ACCESS EXCLUSIVE (blocks reads and writes), metadata only
-- brief unless the column has a volatile default, identity or generation
ALTER TABLE public.accounts ADD COLUMN IF NOT EXISTS legacy_code character varying(20);

COMMIT;
