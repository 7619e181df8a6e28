-- 10-validate-concurrently.rollback.sql: phase validate of a pgphase plan.
-- Runs outside a transaction, one statement at a time; concurrent builds wait for older transactions, hence the longer lock timeout.
-- Budget: a client waits at most 1.5 s because of this file: one lock_timeout (1500ms) per table locked in a mode that blocks clients, waited for while the others are held, then 500 ms for the brief statements.
-- Apply with: psql -v ON_ERROR_STOP=1 -f 10-validate-concurrently.rollback.sql
-- Safe to run again after a failure: each statement skips what is already done.
-- Undoes 10-validate-concurrently.sql: returns the schema to what it was before that file ran.

SET lock_timeout = '10min';
SET statement_timeout = '0';

-- public.users.users_email_key: SHARE UPDATE EXCLUSIVE (blocks other DDL and VACUUM, not reads or writes), metadata only
-- waits for transactions using the index; blocks neither reads nor writes
DROP INDEX CONCURRENTLY IF EXISTS public.users_email_key;
