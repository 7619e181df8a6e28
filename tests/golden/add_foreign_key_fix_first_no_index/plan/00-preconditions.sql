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

-- public.orders.orders_customer_id_fkey: ACCESS SHARE (blocks nothing), scans the table, rows unknown
-- stops the plan while there are rows of orders whose key customers lacks; re-run before each phase
DO '
DECLARE
  offending int8 := 0;
  r record;
BEGIN
  SELECT n INTO offending FROM (SELECT count(*) FROM public.orders AS c WHERE c.customer_id IS NOT NULL AND NOT EXISTS (SELECT FROM public.customers AS p WHERE p.id = c.customer_id)) AS counted(n);
  IF offending > 0 THEN
    RAISE EXCEPTION ''% (%): % %; list them with: %'', ''public.orders.orders_customer_id_fkey'', ''precondition'', offending, ''rows of orders whose key customers lacks'', ''SELECT c.* FROM public.orders AS c WHERE c.customer_id IS NOT NULL AND NOT EXISTS (SELECT FROM public.customers AS p WHERE p.id = c.customer_id)'';
  END IF;
END
';

COMMIT;
