-- 00-preconditions.sql: phase preconditions of a pgphase plan.
-- Runs in one transaction: it applies completely or not at all.
-- Budget: a client waits at most 1 s because of this file: one lock_timeout (1s) per table locked in a mode that blocks clients, waited for while the others are held, then 500 ms for the brief statements.
-- Apply with: psql -v ON_ERROR_STOP=1 -f 00-preconditions.sql
-- Safe to run again after a failure: each statement skips what is already done.

BEGIN;
SET LOCAL lock_timeout = '1s';
SET LOCAL statement_timeout = '0';

-- global: no lock on an existing table, metadata only
-- the checks only read: nothing in this file can change the database
SET TRANSACTION READ ONLY;

-- public.warehouses.warehouses_region_code_key: ACCESS SHARE (blocks nothing), scans the table, rows unknown
-- stops the plan while there are rows of warehouses sharing their (region, code) with another row; re-run before each phase
DO '
DECLARE
  offending int8 := 0;
  r record;
BEGIN
  SELECT n INTO offending FROM (SELECT COALESCE(sum(n), 0)::int8, count(*) FROM (SELECT count(*) AS n FROM public.warehouses WHERE region IS NOT NULL AND code IS NOT NULL GROUP BY region, code HAVING count(*) > 1) AS shared) AS counted(n);
  IF offending > 0 THEN
    RAISE EXCEPTION ''% (%): % %; list them with: %'', ''public.warehouses.warehouses_region_code_key'', ''precondition'', offending, ''rows of warehouses sharing their (region, code) with another row'', ''SELECT region, code, count(*) FROM public.warehouses GROUP BY region, code HAVING count(*) > 1'';
  END IF;
END
';

-- public.stock.stock_region_warehouse_code_fkey: ACCESS SHARE (blocks nothing), scans the table, rows unknown
-- stops the plan while there are rows of stock whose key warehouses lacks; re-run before each phase
DO '
DECLARE
  offending int8 := 0;
  r record;
BEGIN
  SELECT n INTO offending FROM (SELECT count(*) FROM public.stock AS c WHERE c.region IS NOT NULL AND c.warehouse_code IS NOT NULL AND NOT EXISTS (SELECT FROM public.warehouses AS p WHERE p.region = c.region AND p.code = c.warehouse_code)) AS counted(n);
  IF offending > 0 THEN
    RAISE EXCEPTION ''% (%): % %; list them with: %'', ''public.stock.stock_region_warehouse_code_fkey'', ''precondition'', offending, ''rows of stock whose key warehouses lacks'', ''SELECT c.* FROM public.stock AS c WHERE c.region IS NOT NULL AND c.warehouse_code IS NOT NULL AND NOT EXISTS (SELECT FROM public.warehouses AS p WHERE p.region = c.region AND p.code = c.warehouse_code)'';
  END IF;
END
';

COMMIT;
