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

-- public.order_status: ACCESS SHARE (blocks nothing), scans the table, rows unknown
-- stops the plan while there are rows of orders whose previous holds 'legacy'; re-run before each phase
DO '
DECLARE
  offending int8 := 0;
  r record;
BEGIN
  SELECT n INTO offending FROM (SELECT ((SELECT count(*) FROM public.orders WHERE to_jsonb(previous) @> ANY (ARRAY[to_jsonb(''legacy''::text)])))::int8) AS counted(n);
  IF offending > 0 THEN
    RAISE EXCEPTION ''% (%): % %; list them with: %'', ''public.order_status'', ''precondition'', offending, ''rows of orders whose previous holds ''''legacy'''''', ''SELECT * FROM public.orders WHERE to_jsonb(previous) @> ANY (ARRAY[to_jsonb(''''legacy''''::text)])'';
  END IF;
END
';

-- public.order_status: ACCESS SHARE (blocks nothing), scans the table, rows unknown
-- stops the plan while there are rows of orders whose status holds 'legacy'; re-run before each phase
DO '
DECLARE
  offending int8 := 0;
  r record;
BEGIN
  SELECT n INTO offending FROM (SELECT ((SELECT count(*) FROM public.orders WHERE to_jsonb(status) @> ANY (ARRAY[to_jsonb(''legacy''::text)])))::int8) AS counted(n);
  IF offending > 0 THEN
    RAISE EXCEPTION ''% (%): % %; list them with: %'', ''public.order_status'', ''precondition'', offending, ''rows of orders whose status holds ''''legacy'''''', ''SELECT * FROM public.orders WHERE to_jsonb(status) @> ANY (ARRAY[to_jsonb(''''legacy''''::text)])'';
  END IF;
END
';

COMMIT;
