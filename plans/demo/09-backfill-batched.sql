-- 09-backfill-batched.sql: phase backfill of a pgphase plan.
-- Runs outside a transaction: each batch commits on its own.
-- Budget: a client waits at most 1.5 s because of this file: one lock_timeout (1s) per table locked in a mode that blocks clients, waited for while the others are held, then 500 ms for the brief statements.
-- Apply with: psql -v ON_ERROR_STOP=1 -f 09-backfill-batched.sql
-- Safe to run again after a failure: each statement skips what is already done.

SET lock_timeout = '1s';
SET statement_timeout = '0';

-- public.order_items.quantity: ROW EXCLUSIVE (blocks other DDL), updates rows, ~50,000 rows (estimate)
-- copy existing values into quantity_new, in batches of 10000, each committed; safe to stop and run again
DO $backfill$
DECLARE
  changed bigint;
  total bigint := 0;
BEGIN
  LOOP
    UPDATE public.order_items SET quantity_new = CAST((quantity::bigint) AS bigint) WHERE ctid IN (SELECT ctid FROM public.order_items WHERE quantity_new IS DISTINCT FROM CAST((quantity::bigint) AS bigint) LIMIT 10000 FOR UPDATE SKIP LOCKED);
    GET DIAGNOSTICS changed = ROW_COUNT;
    total := total + changed;
    COMMIT;
    EXIT WHEN changed = 0;
  END LOOP;
  -- rows skipped while another session held them locked
  UPDATE public.order_items SET quantity_new = CAST((quantity::bigint) AS bigint) WHERE quantity_new IS DISTINCT FROM CAST((quantity::bigint) AS bigint);
END
$backfill$;

-- public.orders.shipping_address: ROW EXCLUSIVE (blocks other DDL), updates rows, ~20,000 rows (estimate)
-- fill NULLs in shipping_address with 'unknown', in batches of 10000, each committed; safe to stop and run again
DO $backfill$
DECLARE
  changed bigint;
  total bigint := 0;
BEGIN
  LOOP
    UPDATE public.orders SET shipping_address = 'unknown' WHERE ctid IN (SELECT ctid FROM public.orders WHERE shipping_address IS NULL LIMIT 10000 FOR UPDATE SKIP LOCKED);
    GET DIAGNOSTICS changed = ROW_COUNT;
    total := total + changed;
    COMMIT;
    EXIT WHEN changed = 0;
  END LOOP;
  -- rows skipped while another session held them locked
  UPDATE public.orders SET shipping_address = 'unknown' WHERE shipping_address IS NULL;
END
$backfill$;

-- public.order_items.order_items_product_id_fkey: ROW EXCLUSIVE (blocks other DDL), updates rows, ~50,000 rows (estimate)
-- LOSES DATA: deletes the rows of order_items whose key products lacks, in batches of 10000, each committed; safe to stop and run again
DO $backfill$
DECLARE
  changed bigint;
  total bigint := 0;
BEGIN
  LOOP
    DELETE FROM public.order_items WHERE ctid IN (SELECT ctid FROM public.order_items WHERE product_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM public.products AS parent WHERE parent.id = public.order_items.product_id) LIMIT 10000 FOR UPDATE SKIP LOCKED);
    GET DIAGNOSTICS changed = ROW_COUNT;
    total := total + changed;
    COMMIT;
    EXIT WHEN changed = 0;
  END LOOP;
  -- rows skipped while another session held them locked
  DELETE FROM public.order_items WHERE product_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM public.products AS parent WHERE parent.id = public.order_items.product_id);
END
$backfill$;
