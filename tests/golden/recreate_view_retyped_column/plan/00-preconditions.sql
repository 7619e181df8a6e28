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

-- public.scores.points: ACCESS SHARE (blocks nothing), scans the table, rows unknown
-- stops the plan while there are values of scores.points that do not convert to bigint; re-run before each phase
DO '
DECLARE
  offending int8 := 0;
  r record;
BEGIN
  BEGIN
    PERFORM count((points)::bigint) FROM public.scores;
  EXCEPTION WHEN data_exception THEN
    FOR r IN SELECT points AS v FROM public.scores WHERE points IS NOT NULL LOOP
      BEGIN
        PERFORM (r.v)::bigint;
      EXCEPTION WHEN data_exception THEN
        offending := offending + 1;
      END;
    END LOOP;
  END;
  IF offending > 0 THEN
    RAISE EXCEPTION ''% (%): % %; list them with: %'', ''public.scores.points'', ''precondition'', offending, ''values of scores.points that do not convert to bigint'', ''DO $list$ DECLARE r record; BEGIN FOR r IN SELECT ctid, points AS v FROM public.scores WHERE points IS NOT NULL LOOP BEGIN PERFORM (r.v)::bigint; EXCEPTION WHEN data_exception THEN RAISE NOTICE ''''row % holds %'''', r.ctid, r.v; END; END LOOP; END $list$'';
  END IF;
END
';

COMMIT;
