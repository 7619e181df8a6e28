-- 01-expand.sql: phase expand of a pgphase plan.
-- Runs in one transaction: it applies completely or not at all.
-- Budget: a client waits at most 1.5 s because of this file: one lock_timeout (1s) per table locked in a mode that blocks clients, waited for while the others are held, then 500 ms for the brief statements.
-- Apply with: psql -v ON_ERROR_STOP=1 -f 01-expand.sql
-- Safe to run again after a failure: each statement skips what is already done.

BEGIN;
SET LOCAL lock_timeout = '1s';
SET LOCAL statement_timeout = '0';

-- public.invoices: no lock on an existing table, metadata only
-- a new, empty table
CREATE TABLE IF NOT EXISTS public.invoices (id bigint GENERATED ALWAYS AS IDENTITY NOT NULL, customer_id bigint NOT NULL, amount numeric(12,2) NOT NULL, issued_at timestamp with time zone DEFAULT now() NOT NULL, CONSTRAINT invoices_pkey PRIMARY KEY (id), CONSTRAINT invoices_amount_check CHECK ((amount >= (0)::numeric)));

-- public.invoices: no lock on an existing table, metadata only
-- the table is empty: a plain build takes no time
CREATE INDEX IF NOT EXISTS invoices_customer_id_idx ON public.invoices USING btree (customer_id);

COMMIT;
