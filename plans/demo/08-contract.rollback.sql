-- 08-contract.rollback.sql: phase contract of a pgphase plan.
-- Runs in one transaction: it applies completely or not at all.
-- Apply with: psql -v ON_ERROR_STOP=1 -f 08-contract.rollback.sql
-- Safe to run again after a failure: each statement skips what is already done.
-- Undoes 08-contract.sql: returns the schema to what it was before that file ran.
--
-- What this does not bring back:
--   public.products.legacy_code: the column comes back empty: restore products.legacy_code from a backup taken before the contract phase; primary key and unique constraints on it are not re-created
--   public.users.display_name: the old column is filled back from display_name with one UPDATE of every row
--   public.order_items.quantity: the old column is filled back by casting to integer, one UPDATE of every row; the cast can fail or lose information

BEGIN;
SET LOCAL lock_timeout = '5s';
SET LOCAL statement_timeout = '0';

-- public.order_items.quantity: ACCESS EXCLUSIVE (blocks reads and writes), metadata only
-- brief, metadata only
ALTER TABLE public.order_items ALTER COLUMN quantity DROP DEFAULT;

-- public.order_items.quantity: ACCESS EXCLUSIVE (blocks reads and writes), metadata only
-- brief
DO $guard$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_attribute WHERE attrelid = to_regclass('public.order_items') AND attname = 'quantity_new' AND NOT attisdropped) THEN
    ALTER TABLE public.order_items RENAME COLUMN quantity TO quantity_new;
  END IF;
END
$guard$;

-- public.order_items.quantity: ACCESS EXCLUSIVE (blocks reads and writes), metadata only
-- brief unless the column has a volatile default, identity or generation
ALTER TABLE public.order_items ADD COLUMN IF NOT EXISTS quantity integer DEFAULT 1 NOT NULL;

-- public.order_items.quantity: ROW EXCLUSIVE (blocks other DDL), updates rows, ~50,000 rows (estimate)
-- every row
UPDATE public.order_items SET quantity = CAST(quantity_new AS integer) WHERE quantity IS DISTINCT FROM CAST(quantity_new AS integer);

-- public.order_items.quantity: ACCESS EXCLUSIVE (blocks reads and writes), scans the table, ~50,000 rows (estimate)
-- scans the table
ALTER TABLE public.order_items ALTER COLUMN quantity SET NOT NULL;

-- public.order_items.quantity: no lock on an existing table, metadata only
-- the sync function; no table lock
CREATE OR REPLACE FUNCTION public.order_items_quantity_new_sync() RETURNS trigger LANGUAGE plpgsql AS $sync$
#variable_conflict use_column
BEGIN
  IF TG_OP = 'INSERT' THEN
    IF NEW.quantity_new IS NULL THEN
      NEW.quantity_new := (SELECT CAST((quantity::bigint) AS bigint) FROM (SELECT NEW.quantity) AS row_value(quantity));
    ELSE
      NEW.quantity := (SELECT CAST(quantity_new AS integer) FROM (SELECT NEW.quantity_new) AS row_value(quantity_new));
    END IF;
  ELSIF NEW.quantity IS DISTINCT FROM OLD.quantity THEN
    NEW.quantity_new := (SELECT CAST((quantity::bigint) AS bigint) FROM (SELECT NEW.quantity) AS row_value(quantity));
  ELSIF NEW.quantity_new IS DISTINCT FROM OLD.quantity_new AND NEW.quantity_new IS DISTINCT FROM (SELECT CAST((quantity::bigint) AS bigint) FROM (SELECT NEW.quantity) AS row_value(quantity)) THEN
    NEW.quantity := (SELECT CAST(quantity_new AS integer) FROM (SELECT NEW.quantity_new) AS row_value(quantity_new));
  END IF;
  RETURN NEW;
END
$sync$;

-- public.order_items.quantity: SHARE ROW EXCLUSIVE (blocks writes), metadata only
-- brief: blocks writes only while the trigger is added
DO $guard$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_trigger WHERE tgrelid = to_regclass('public.order_items') AND tgname = 'order_items_quantity_new_sync') THEN
    CREATE TRIGGER order_items_quantity_new_sync BEFORE INSERT OR UPDATE ON public.order_items FOR EACH ROW EXECUTE FUNCTION public.order_items_quantity_new_sync();
  END IF;
END
$guard$;

-- public.users.display_name: ACCESS EXCLUSIVE (blocks reads and writes), metadata only
-- brief unless the column has a volatile default, identity or generation
ALTER TABLE public.users ADD COLUMN IF NOT EXISTS full_name text;

-- public.users.display_name: ROW EXCLUSIVE (blocks other DDL), updates rows, ~5,000 rows (estimate)
-- every row
UPDATE public.users SET full_name = display_name WHERE full_name IS DISTINCT FROM display_name;

-- public.users.display_name: no lock on an existing table, metadata only
-- the sync function; no table lock
CREATE OR REPLACE FUNCTION public.users_display_name_sync() RETURNS trigger LANGUAGE plpgsql AS $sync$
#variable_conflict use_column
BEGIN
  IF TG_OP = 'INSERT' THEN
    IF NEW.display_name IS NULL THEN
      NEW.display_name := (SELECT full_name FROM (SELECT NEW.full_name) AS row_value(full_name));
    ELSE
      NEW.full_name := (SELECT display_name FROM (SELECT NEW.display_name) AS row_value(display_name));
    END IF;
  ELSIF NEW.full_name IS DISTINCT FROM OLD.full_name THEN
    NEW.display_name := (SELECT full_name FROM (SELECT NEW.full_name) AS row_value(full_name));
  ELSIF NEW.display_name IS DISTINCT FROM OLD.display_name AND NEW.display_name IS DISTINCT FROM (SELECT full_name FROM (SELECT NEW.full_name) AS row_value(full_name)) THEN
    NEW.full_name := (SELECT display_name FROM (SELECT NEW.display_name) AS row_value(display_name));
  END IF;
  RETURN NEW;
END
$sync$;

-- public.users.display_name: SHARE ROW EXCLUSIVE (blocks writes), metadata only
-- brief: blocks writes only while the trigger is added
DO $guard$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_trigger WHERE tgrelid = to_regclass('public.users') AND tgname = 'users_display_name_sync') THEN
    CREATE TRIGGER users_display_name_sync BEFORE INSERT OR UPDATE ON public.users FOR EACH ROW EXECUTE FUNCTION public.users_display_name_sync();
  END IF;
END
$guard$;

-- public.products.legacy_code: ACCESS EXCLUSIVE (blocks reads and writes), metadata only
-- brief unless the column has a volatile default, identity or generation
ALTER TABLE public.products ADD COLUMN IF NOT EXISTS legacy_code character varying(20);

COMMIT;
