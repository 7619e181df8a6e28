-- 18-contract.sql: phase contract of a pgphase plan.
-- Runs in one transaction: it applies completely or not at all.
-- Budget: a client waits at most 1.9 s because of this file: one lock_timeout (1s) per table locked in a mode that blocks clients, waited for while the others are held, then 500 ms for the brief statements.
-- Apply with: psql -v ON_ERROR_STOP=1 -f 18-contract.sql
-- Safe to run again after a failure: each statement skips what is already done.

BEGIN;
SET LOCAL lock_timeout = '1s';
SET LOCAL statement_timeout = '0';

-- the file's locks: ACCESS EXCLUSIVE (blocks reads and writes), metadata only
-- takes this transaction's locks first, strongest mode, in table order: public.orders (ACCESS EXCLUSIVE), public.sessions (ACCESS EXCLUSIVE), public.users (ACCESS EXCLUSIVE); retried up to 10 times, with growing pauses, when one is not free within lock_timeout (each try releases what it took)
DO $lock$
DECLARE
  attempt integer := 0;
  file_lock_timeout text := current_setting('lock_timeout');
BEGIN
  LOOP
    BEGIN
      IF to_regclass('public.orders') IS NOT NULL THEN
        LOCK TABLE public.orders IN ACCESS EXCLUSIVE MODE;
      END IF;
      -- A lock is held from here on: wait only briefly for the others.
      PERFORM set_config('lock_timeout', '200ms', true);
      IF to_regclass('public.sessions') IS NOT NULL THEN
        LOCK TABLE public.sessions IN ACCESS EXCLUSIVE MODE;
      END IF;
      IF to_regclass('public.users') IS NOT NULL THEN
        LOCK TABLE public.users IN ACCESS EXCLUSIVE MODE;
      END IF;
      PERFORM set_config('lock_timeout', file_lock_timeout, true);
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
END
$lock$;

-- public.users.id: ACCESS EXCLUSIVE (blocks reads and writes), metadata only
-- brief
DO $guard$
BEGIN
  IF EXISTS (SELECT 1 FROM pg_catalog.pg_constraint WHERE conrelid = 'public.orders'::regclass AND conname = 'orders_user_id_fkey_new') THEN
    ALTER TABLE public.orders DROP CONSTRAINT IF EXISTS orders_user_id_fkey;
  END IF;
END
$guard$;

-- public.users.id: ACCESS EXCLUSIVE (blocks reads and writes), metadata only
-- brief
DO $guard$
BEGIN
  IF EXISTS (SELECT 1 FROM pg_catalog.pg_constraint WHERE conrelid = 'public.sessions'::regclass AND conname = 'sessions_user_id_fkey_new') THEN
    ALTER TABLE public.sessions DROP CONSTRAINT IF EXISTS sessions_user_id_fkey;
  END IF;
END
$guard$;

-- public.users.id: ACCESS EXCLUSIVE (blocks reads and writes), metadata only
-- brief, metadata only
DROP TRIGGER IF EXISTS orders_user_id_new_sync ON public.orders;

-- public.users.id: no lock on an existing table, metadata only
-- the sync function
DROP FUNCTION IF EXISTS public.orders_user_id_new_sync();

-- public.users.id: ACCESS EXCLUSIVE (blocks reads and writes), metadata only
-- brief, metadata only: the old column and its indexes go, the new one takes its name
DO $guard$
BEGIN
  IF EXISTS (SELECT 1 FROM pg_catalog.pg_attribute WHERE attrelid = to_regclass('public.orders') AND attname = 'user_id_new' AND NOT attisdropped) THEN
    ALTER TABLE public.orders DROP COLUMN user_id;
    ALTER TABLE public.orders RENAME COLUMN user_id_new TO user_id;
  END IF;
END
$guard$;

-- public.users.id: SHARE UPDATE EXCLUSIVE (blocks other DDL and VACUUM, not reads or writes), metadata only
-- brief, metadata only
ALTER INDEX IF EXISTS public.orders_user_id_idx_new RENAME TO orders_user_id_idx;

-- public.users.id: ACCESS EXCLUSIVE (blocks reads and writes), metadata only
-- brief, metadata only
DROP TRIGGER IF EXISTS sessions_user_id_new_sync ON public.sessions;

-- public.users.id: no lock on an existing table, metadata only
-- the sync function
DROP FUNCTION IF EXISTS public.sessions_user_id_new_sync();

-- public.users.id: ACCESS EXCLUSIVE (blocks reads and writes), metadata only
-- brief, metadata only: the old column and its indexes go, the new one takes its name
DO $guard$
BEGIN
  IF EXISTS (SELECT 1 FROM pg_catalog.pg_attribute WHERE attrelid = to_regclass('public.sessions') AND attname = 'user_id_new' AND NOT attisdropped) THEN
    ALTER TABLE public.sessions DROP COLUMN user_id;
    ALTER TABLE public.sessions RENAME COLUMN user_id_new TO user_id;
  END IF;
END
$guard$;

-- public.users.id: ACCESS EXCLUSIVE (blocks reads and writes), metadata only
-- brief, metadata only
DROP TRIGGER IF EXISTS users_id_new_sync ON public.users;

-- public.users.id: no lock on an existing table, metadata only
-- the sync function
DROP FUNCTION IF EXISTS public.users_id_new_sync();

-- public.users.id: ACCESS EXCLUSIVE (blocks reads and writes), metadata only
-- brief, metadata only: the primary key takes over the unique index built concurrently, without a scan
DO $swap$
DECLARE
  last_value bigint;
BEGIN
  IF EXISTS (SELECT 1 FROM pg_catalog.pg_attribute WHERE attrelid = to_regclass('public.users') AND attname = 'id_new' AND NOT attisdropped) THEN
    EXECUTE format('SELECT last_value FROM %s', pg_catalog.pg_get_serial_sequence('public.users', 'id')) INTO last_value;
    ALTER TABLE public.users DROP CONSTRAINT users_pkey;
    ALTER TABLE public.users DROP COLUMN id;
    ALTER TABLE public.users RENAME COLUMN id_new TO id;
    ALTER TABLE public.users ADD CONSTRAINT users_pkey PRIMARY KEY USING INDEX users_pkey_new;
    ALTER TABLE public.users ALTER COLUMN id ADD GENERATED BY DEFAULT AS IDENTITY;
    PERFORM pg_catalog.setval(pg_catalog.pg_get_serial_sequence('public.users', 'id'), last_value);
  END IF;
END
$swap$;

-- public.users.id: ACCESS EXCLUSIVE (blocks reads and writes), metadata only
-- brief, metadata only
DO $guard$
BEGIN
  IF EXISTS (SELECT 1 FROM pg_catalog.pg_constraint WHERE conrelid = 'public.orders'::regclass AND conname = 'orders_user_id_fkey_new') THEN
    ALTER TABLE public.orders RENAME CONSTRAINT orders_user_id_fkey_new TO orders_user_id_fkey;
  END IF;
END
$guard$;

-- public.users.id: ACCESS EXCLUSIVE (blocks reads and writes), metadata only
-- brief, metadata only
DO $guard$
BEGIN
  IF EXISTS (SELECT 1 FROM pg_catalog.pg_constraint WHERE conrelid = 'public.sessions'::regclass AND conname = 'sessions_user_id_fkey_new') THEN
    ALTER TABLE public.sessions RENAME CONSTRAINT sessions_user_id_fkey_new TO sessions_user_id_fkey;
  END IF;
END
$guard$;

COMMIT;
