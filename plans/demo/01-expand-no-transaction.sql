-- 01-expand-no-transaction.sql: phase expand of a pgphase plan.
-- Runs outside a transaction, one statement at a time.
-- Budget: a client waits at most 1.5 s because of this file: one lock_timeout (1s) per table locked in a mode that blocks clients, waited for while the others are held, then 500 ms for the brief statements.
-- Apply with: psql -v ON_ERROR_STOP=1 -f 01-expand-no-transaction.sql
-- Safe to run again after a failure: each statement skips what is already done.

SET lock_timeout = '1s';
SET statement_timeout = '0';

-- public.order_status: no lock on an existing table, metadata only
-- outside a transaction, so that later steps can use the label
ALTER TYPE public.order_status ADD VALUE IF NOT EXISTS 'refunded';
