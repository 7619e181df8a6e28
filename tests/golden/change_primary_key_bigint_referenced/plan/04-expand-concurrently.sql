-- 04-expand-concurrently.sql: phase expand of a pgphase plan.
-- Runs outside a transaction, one statement at a time; concurrent builds wait for older transactions, hence the longer lock timeout.
-- Budget: a client waits at most 1.5 s because of this file: one lock_timeout (1500ms) per table locked in a mode that blocks clients, waited for while the others are held, then 500 ms for the brief statements.
-- Apply with: psql -v ON_ERROR_STOP=1 -f 04-expand-concurrently.sql
-- Safe to run again after a failure: each statement skips what is already done.

SET lock_timeout = '10min';
SET statement_timeout = '0';

-- public.orders.user_id: ACCESS EXCLUSIVE (blocks reads and writes), metadata only
-- only an INVALID index left by a failed build, which no query uses
DO $guard$
DECLARE
  attempt integer := 0;
BEGIN
  IF EXISTS (SELECT 1 FROM pg_catalog.pg_index WHERE indexrelid = to_regclass('public.orders_user_id_idx_new') AND NOT indisvalid) THEN
    SET LOCAL lock_timeout = '1s';
    LOOP
      BEGIN
        DROP INDEX public.orders_user_id_idx_new;
        EXIT;
      EXCEPTION WHEN lock_not_available THEN
        attempt := attempt + 1;
        IF attempt > 10 THEN
          RAISE;
        END IF;
        RAISE NOTICE '%; attempt % of 10 follows', SQLERRM, attempt;
        PERFORM pg_sleep(least(0.100 * 2 ^ (attempt - 1), 5.000) * (0.5 + random()));
      END;
    END LOOP;
  END IF;
END
$guard$;

-- public.orders.user_id: SHARE UPDATE EXCLUSIVE (blocks other DDL and VACUUM, not reads or writes), scans the table, ~3,000 rows (estimate)
-- builds without blocking writes
CREATE INDEX CONCURRENTLY IF NOT EXISTS orders_user_id_idx_new ON public.orders USING btree (user_id_new);

-- public.users.id: ACCESS EXCLUSIVE (blocks reads and writes), metadata only
-- only an INVALID index left by a failed build, which no query uses
DO $guard$
DECLARE
  attempt integer := 0;
BEGIN
  IF EXISTS (SELECT 1 FROM pg_catalog.pg_index WHERE indexrelid = to_regclass('public.users_pkey_new') AND NOT indisvalid) THEN
    SET LOCAL lock_timeout = '1s';
    LOOP
      BEGIN
        DROP INDEX public.users_pkey_new;
        EXIT;
      EXCEPTION WHEN lock_not_available THEN
        attempt := attempt + 1;
        IF attempt > 10 THEN
          RAISE;
        END IF;
        RAISE NOTICE '%; attempt % of 10 follows', SQLERRM, attempt;
        PERFORM pg_sleep(least(0.100 * 2 ^ (attempt - 1), 5.000) * (0.5 + random()));
      END;
    END LOOP;
  END IF;
END
$guard$;

-- public.users.id: SHARE UPDATE EXCLUSIVE (blocks other DDL and VACUUM, not reads or writes), scans the table, ~400 rows (estimate)
-- builds without blocking writes
CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS users_pkey_new ON public.users USING btree (id_new);
