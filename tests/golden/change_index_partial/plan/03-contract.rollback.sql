-- 03-contract.rollback.sql: phase contract of a pgphase plan.
-- Runs in one transaction: it applies completely or not at all.
-- Apply with: psql -v ON_ERROR_STOP=1 -f 03-contract.rollback.sql
-- Safe to run again after a failure: each statement skips what is already done.
-- Undoes 03-contract.sql: returns the schema to what it was before that file ran.

BEGIN;
SET LOCAL lock_timeout = '5s';
SET LOCAL statement_timeout = '0';

-- public.orders_status_idx: SHARE UPDATE EXCLUSIVE (blocks other DDL and VACUUM, not reads or writes), metadata only
-- brief
DO $guard$
BEGIN
  IF to_regclass('public.orders_status_idx') IS NOT NULL AND NOT (to_regclass('public.orders_status_idx_new') IS NOT NULL) THEN
    ALTER INDEX public.orders_status_idx RENAME TO orders_status_idx_new;
  END IF;
END
$guard$;

-- public.orders_customer_id_idx: SHARE UPDATE EXCLUSIVE (blocks other DDL and VACUUM, not reads or writes), metadata only
-- brief
DO $guard$
BEGIN
  IF to_regclass('public.orders_customer_id_idx') IS NOT NULL AND NOT (to_regclass('public.orders_customer_id_idx_new') IS NOT NULL) THEN
    ALTER INDEX public.orders_customer_id_idx RENAME TO orders_customer_id_idx_new;
  END IF;
END
$guard$;

COMMIT;
