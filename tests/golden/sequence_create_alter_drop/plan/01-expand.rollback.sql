-- 01-expand.rollback.sql: phase expand of a pgphase plan.
-- Runs in one transaction: it applies completely or not at all.
-- Budget: a client waits at most 1.5 s because of this file: one lock_timeout (1s) per table locked in a mode that blocks clients, waited for while the others are held, then 500 ms for the brief statements.
-- Apply with: psql -v ON_ERROR_STOP=1 -f 01-expand.rollback.sql
-- Safe to run again after a failure: each statement skips what is already done.
-- Undoes 01-expand.sql: returns the schema to what it was before that file ran.

BEGIN;
SET LOCAL lock_timeout = '1s';
SET LOCAL statement_timeout = '0';

-- public.ticket_numbers: ACCESS EXCLUSIVE (blocks reads and writes), metadata only
-- no CASCADE: fails while a column default still uses the sequence
DROP SEQUENCE IF EXISTS public.ticket_numbers;

-- public.invoice_numbers: ACCESS EXCLUSIVE (blocks reads and writes), metadata only
-- brief; fails if the current value is outside a narrower range
ALTER SEQUENCE public.invoice_numbers INCREMENT BY 1 CACHE 1;

COMMIT;
