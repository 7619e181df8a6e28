-- 03-contract.rollback.sql: phase contract of a pgphase plan.
-- Runs in one transaction: it applies completely or not at all.
-- Budget: a client waits at most 1.5 s because of this file: one lock_timeout (1s) per table locked in a mode that blocks clients, waited for while the others are held, then 500 ms for the brief statements.
-- Apply with: psql -v ON_ERROR_STOP=1 -f 03-contract.rollback.sql
-- Safe to run again after a failure: each statement skips what is already done.
-- Undoes 03-contract.sql: returns the schema to what it was before that file ran.
--
-- What this does not bring back:
--   public.old_ticket_numbers: the sequence restarts at 1: setval it past the highest value in use before writes resume

BEGIN;
SET LOCAL lock_timeout = '1s';
SET LOCAL statement_timeout = '0';

-- public.old_ticket_numbers: no lock on an existing table, metadata only
-- catalog only
CREATE SEQUENCE IF NOT EXISTS public.old_ticket_numbers AS bigint INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1 NO CYCLE;

COMMIT;
