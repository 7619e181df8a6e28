-- 03-contract.rollback.sql: phase contract of a pgphase plan.
-- Runs in one transaction: it applies completely or not at all.
-- Budget: a client waits at most 1.5 s because of this file: one lock_timeout (1s) per table locked in a mode that blocks clients, waited for while the others are held, then 500 ms for the brief statements.
-- Apply with: psql -v ON_ERROR_STOP=1 -f 03-contract.rollback.sql
-- Safe to run again after a failure: each statement skips what is already done.
-- Undoes 03-contract.sql: returns the schema to what it was before that file ran.

BEGIN;
SET LOCAL lock_timeout = '1s';
SET LOCAL statement_timeout = '0';

-- public.customers: ACCESS SHARE (blocks nothing), metadata only
-- an automatically updatable view: old code keeps reading and writing the table
CREATE OR REPLACE VIEW public.clients AS SELECT * FROM public.customers;

COMMIT;
