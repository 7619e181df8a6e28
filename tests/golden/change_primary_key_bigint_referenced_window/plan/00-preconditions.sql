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

-- public.orders.user_id: ACCESS SHARE (blocks nothing), scans the table, rows unknown
-- stops the plan while there are values of orders.user_id that do not convert to bigint; re-run before each phase
DO '
DECLARE
  offending int8 := 0;
  r record;
BEGIN
  BEGIN
    PERFORM count((user_id)::bigint) FROM public.orders;
  EXCEPTION WHEN data_exception THEN
    FOR r IN SELECT user_id AS v FROM public.orders WHERE user_id IS NOT NULL LOOP
      BEGIN
        PERFORM (r.v)::bigint;
      EXCEPTION WHEN data_exception THEN
        offending := offending + 1;
      END;
    END LOOP;
  END;
  IF offending > 0 THEN
    RAISE EXCEPTION ''% (%): % %; list them with: %'', ''public.orders.user_id'', ''precondition'', offending, ''values of orders.user_id that do not convert to bigint'', ''DO $list$ DECLARE r record; BEGIN FOR r IN SELECT ctid, user_id AS v FROM public.orders WHERE user_id IS NOT NULL LOOP BEGIN PERFORM (r.v)::bigint; EXCEPTION WHEN data_exception THEN RAISE NOTICE ''''row % holds %'''', r.ctid, r.v; END; END LOOP; END $list$'';
  END IF;
END
';

-- public.sessions.user_id: ACCESS SHARE (blocks nothing), scans the table, rows unknown
-- stops the plan while there are values of sessions.user_id that do not convert to bigint; re-run before each phase
DO '
DECLARE
  offending int8 := 0;
  r record;
BEGIN
  BEGIN
    PERFORM count((user_id)::bigint) FROM public.sessions;
  EXCEPTION WHEN data_exception THEN
    FOR r IN SELECT user_id AS v FROM public.sessions WHERE user_id IS NOT NULL LOOP
      BEGIN
        PERFORM (r.v)::bigint;
      EXCEPTION WHEN data_exception THEN
        offending := offending + 1;
      END;
    END LOOP;
  END;
  IF offending > 0 THEN
    RAISE EXCEPTION ''% (%): % %; list them with: %'', ''public.sessions.user_id'', ''precondition'', offending, ''values of sessions.user_id that do not convert to bigint'', ''DO $list$ DECLARE r record; BEGIN FOR r IN SELECT ctid, user_id AS v FROM public.sessions WHERE user_id IS NOT NULL LOOP BEGIN PERFORM (r.v)::bigint; EXCEPTION WHEN data_exception THEN RAISE NOTICE ''''row % holds %'''', r.ctid, r.v; END; END LOOP; END $list$'';
  END IF;
END
';

-- public.users.id: ACCESS SHARE (blocks nothing), scans the table, rows unknown
-- stops the plan while there are values of users.id that do not convert to bigint; re-run before each phase
DO '
DECLARE
  offending int8 := 0;
  r record;
BEGIN
  BEGIN
    PERFORM count((id)::bigint) FROM public.users;
  EXCEPTION WHEN data_exception THEN
    FOR r IN SELECT id AS v FROM public.users WHERE id IS NOT NULL LOOP
      BEGIN
        PERFORM (r.v)::bigint;
      EXCEPTION WHEN data_exception THEN
        offending := offending + 1;
      END;
    END LOOP;
  END;
  IF offending > 0 THEN
    RAISE EXCEPTION ''% (%): % %; list them with: %'', ''public.users.id'', ''precondition'', offending, ''values of users.id that do not convert to bigint'', ''DO $list$ DECLARE r record; BEGIN FOR r IN SELECT ctid, id AS v FROM public.users WHERE id IS NOT NULL LOOP BEGIN PERFORM (r.v)::bigint; EXCEPTION WHEN data_exception THEN RAISE NOTICE ''''row % holds %'''', r.ctid, r.v; END; END LOOP; END $list$'';
  END IF;
END
';

COMMIT;
