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

-- public.users.users_email_key: ACCESS SHARE (blocks nothing), scans the table, rows unknown
-- stops the plan while there are rows of users sharing their (email) with another row; re-run before each phase
DO '
DECLARE
  offending int8 := 0;
  r record;
BEGIN
  SELECT n INTO offending FROM (SELECT COALESCE(sum(n), 0)::int8, count(*) FROM (SELECT count(*) AS n FROM public.users WHERE email IS NOT NULL GROUP BY email HAVING count(*) > 1) AS shared) AS counted(n);
  IF offending > 0 THEN
    RAISE EXCEPTION ''% (%): % %; list them with: %'', ''public.users.users_email_key'', ''precondition'', offending, ''rows of users sharing their (email) with another row'', ''SELECT email, count(*) FROM public.users GROUP BY email HAVING count(*) > 1'';
  END IF;
END
';

COMMIT;
