-- 01-expand.sql: phase expand of a pgphase plan.
-- Runs in one transaction: it applies completely or not at all.
-- Budget: a client waits at most 1.5 s because of this file: one lock_timeout (1s) per table locked in a mode that blocks clients, waited for while the others are held, then 500 ms for the brief statements.
-- Apply with: psql -v ON_ERROR_STOP=1 -f 01-expand.sql
-- Safe to run again after a failure: each statement skips what is already done.

BEGIN;
SET LOCAL lock_timeout = '1s';
SET LOCAL statement_timeout = '0';

-- public.invoice_numbers: ACCESS EXCLUSIVE (blocks reads and writes), metadata only
-- brief; fails if the current value is outside a narrower range
ALTER SEQUENCE public.invoice_numbers INCREMENT BY 2 CACHE 20;

-- public.ticket_numbers: no lock on an existing table, metadata only
-- catalog only
CREATE SEQUENCE IF NOT EXISTS public.ticket_numbers AS bigint INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 500 CACHE 1 NO CYCLE;

-- public.ticket_numbers: no lock on an existing table, metadata only
-- the sequence is dropped with the column from now on
ALTER SEQUENCE public.ticket_numbers OWNED BY public.invoices.ticket;

COMMIT;
