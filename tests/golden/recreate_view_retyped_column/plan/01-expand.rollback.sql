-- 01-expand.rollback.sql: phase expand of a pgphase plan.
-- Runs in one transaction: it applies completely or not at all.
-- Budget: a client waits at most 1.5 s because of this file: one lock_timeout (1s) per table locked in a mode that blocks clients, waited for while the others are held, then 500 ms for the brief statements.
-- Apply with: psql -v ON_ERROR_STOP=1 -f 01-expand.rollback.sql
-- Safe to run again after a failure: each statement skips what is already done.
-- Undoes 01-expand.sql: returns the schema to what it was before that file ran.
--
-- What this does not bring back:
--   public.scores.points: the cast back to integer can fail or lose information

BEGIN;
SET LOCAL lock_timeout = '1s';
SET LOCAL statement_timeout = '0';

-- the file's locks: ACCESS EXCLUSIVE (blocks reads and writes), metadata only
-- takes this transaction's locks first, strongest mode, in table order: public.scores (ACCESS EXCLUSIVE); retried up to 10 times, with growing pauses, when one is not free within lock_timeout (each try releases what it took)
DO $lock$
DECLARE
  attempt integer := 0;
BEGIN
  LOOP
    BEGIN
      IF to_regclass('public.scores') IS NOT NULL THEN
        LOCK TABLE public.scores IN ACCESS EXCLUSIVE MODE;
      END IF;
      EXIT;
    EXCEPTION WHEN lock_not_available THEN
      attempt := attempt + 1;
      IF attempt > 10 THEN
        RAISE;
      END IF;
      RAISE NOTICE '%; attempt % of 10 follows', SQLERRM, attempt;
      PERFORM pg_sleep(least(0.100 * 2 ^ (attempt - 1), 5.000) * (0.5 + random()));
    END;
  END LOOP;
END
$lock$;

-- public.top_scores: ACCESS EXCLUSIVE (blocks reads and writes), metadata only
-- it reads a column changed next; recreated right after, in the same transaction
DROP VIEW IF EXISTS public.top_scores;

-- public.score_totals: ACCESS EXCLUSIVE (blocks reads and writes), metadata only
-- it reads a column changed next; recreated right after, in the same transaction
DROP MATERIALIZED VIEW IF EXISTS public.score_totals;

-- public.scores.points: ACCESS EXCLUSIVE (blocks reads and writes), rewrites the table, ~300 rows (estimate)
-- rewrites the table again
DO $guard$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_attribute WHERE attrelid = to_regclass('public.scores') AND attname = 'points' AND NOT attisdropped AND pg_catalog.format_type(atttypid, atttypmod) IN ('integer')) THEN
    ALTER TABLE public.scores ALTER COLUMN points TYPE integer USING points::integer;
  END IF;
END
$guard$;

-- public.score_totals: ACCESS EXCLUSIVE (blocks reads and writes), metadata only
-- recreated as it was dropped above
CREATE MATERIALIZED VIEW public.score_totals AS
SELECT scores.player,
    sum(scores.points) AS total
   FROM public.scores
  GROUP BY scores.player;

-- public.top_scores: ACCESS EXCLUSIVE (blocks reads and writes), metadata only
-- recreated as it was dropped above
CREATE VIEW public.top_scores AS
SELECT scores.player,
    scores.points
   FROM public.scores
  WHERE (scores.points > 100);

COMMIT;
