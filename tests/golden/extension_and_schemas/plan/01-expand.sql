-- 01-expand.sql: phase expand of a pgphase plan.
-- Runs in one transaction: it applies completely or not at all.
-- Budget: a client waits at most 1.5 s because of this file: one lock_timeout (1s) per table locked in a mode that blocks clients, waited for while the others are held, then 500 ms for the brief statements.
-- Apply with: psql -v ON_ERROR_STOP=1 -f 01-expand.sql
-- Safe to run again after a failure: each statement skips what is already done.

BEGIN;
SET LOCAL lock_timeout = '1s';
SET LOCAL statement_timeout = '0';

-- reporting: no lock on an existing table, metadata only
-- catalog only
CREATE SCHEMA IF NOT EXISTS reporting;

-- extension citext: no lock on an existing table, metadata only
-- needs the extension's package on the server and the right to create it
CREATE EXTENSION IF NOT EXISTS citext WITH SCHEMA public;

COMMIT;
