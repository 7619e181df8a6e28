-- 03-backfill-batched.sql: phase backfill of a pgphase plan.
-- Runs outside a transaction: each batch commits on its own.
-- Budget: a client waits at most 1.5 s because of this file: one lock_timeout (1s) per table locked in a mode that blocks clients, waited for while the others are held, then 500 ms for the brief statements.
-- Apply with: psql -v ON_ERROR_STOP=1 -f 03-backfill-batched.sql
-- Safe to run again after a failure: each statement skips what is already done.

SET lock_timeout = '1s';
SET statement_timeout = '0';

-- public.events.account_id: ROW EXCLUSIVE (blocks other DDL), updates rows, ~12,000 rows (estimate)
-- copy existing values into account_id_new, walking the key (id) once in batches sized to take about 100 ms (from 1000 rows, between 100 and 50000), each committed; safe to stop and run again
DO $backfill$
DECLARE
  -- each name starts with _ so that no column of the table is taken for it
  _last_1 public.events.id%TYPE;
  _prev_1 public.events.id%TYPE;
  _next_1 public.events.id%TYPE;
  _size bigint := 1000;
  _read bigint;
  _changed bigint;
  _total bigint := 0;
  _first boolean := true;
  _careful boolean := false;
  _started timestamptz;
  _took_ms numeric;
BEGIN
  LOOP
    _started := clock_timestamp();
    _prev_1 := _last_1;
    -- the first batch has no lower bound yet: a statement of its own keeps the bound of the
    -- others plain
    IF NOT _careful THEN
      -- the next keys end the batch's range; its pending rows are changed as they are read,
      -- waiting at most 10 ms for a row another session holds: then undone (its rows
      -- released) and done carefully
      BEGIN
        PERFORM set_config('lock_timeout', '10ms', true);
        IF _first THEN
          SELECT id INTO _next_1 FROM (
            SELECT id FROM public.events
            ORDER BY id LIMIT _size
          ) AS keys ORDER BY id DESC LIMIT 1;
          IF FOUND THEN
            UPDATE public.events SET account_id_new = CAST((account_id::bigint) AS bigint) WHERE id <= _next_1 AND (account_id_new IS DISTINCT FROM CAST((account_id::bigint) AS bigint));
            GET DIAGNOSTICS _changed = ROW_COUNT;
            -- every pending row of the range changed: none was read and left
            _read := _changed;
            _last_1 := _next_1;
          ELSE
            _read := NULL;
          END IF;
        ELSE
          SELECT id INTO _next_1 FROM (
            SELECT id FROM public.events
            WHERE id > _last_1
            ORDER BY id LIMIT _size
          ) AS keys ORDER BY id DESC LIMIT 1;
          IF FOUND THEN
            UPDATE public.events SET account_id_new = CAST((account_id::bigint) AS bigint) WHERE id > _last_1 AND id <= _next_1 AND (account_id_new IS DISTINCT FROM CAST((account_id::bigint) AS bigint));
            GET DIAGNOSTICS _changed = ROW_COUNT;
            -- every pending row of the range changed: none was read and left
            _read := _changed;
            _last_1 := _next_1;
          ELSE
            _read := NULL;
          END IF;
        END IF;
      EXCEPTION WHEN lock_not_available THEN
        _careful := true;
      END;
    END IF;
    IF _careful THEN
      -- the next pending rows end the batch's range, read without locks; those of them no other
      -- session holds locked are changed
      IF _first THEN
        WITH batch AS MATERIALIZED (
          SELECT ctid, id FROM public.events
          WHERE account_id_new IS DISTINCT FROM CAST((account_id::bigint) AS bigint)
          ORDER BY id LIMIT _size
        ), locked AS MATERIALIZED (
          SELECT ctid FROM public.events
          WHERE ctid = ANY (ARRAY(SELECT ctid FROM batch)) AND (account_id_new IS DISTINCT FROM CAST((account_id::bigint) AS bigint))
          FOR UPDATE SKIP LOCKED
        ), done AS (
          UPDATE public.events SET account_id_new = CAST((account_id::bigint) AS bigint) WHERE ctid = ANY (ARRAY(SELECT ctid FROM locked))
          RETURNING 1
        )
        SELECT id, (SELECT count(*) FROM batch), (SELECT count(*) FROM done)
        INTO _last_1, _read, _changed
        FROM batch ORDER BY id DESC LIMIT 1;
      ELSE
        WITH batch AS MATERIALIZED (
          SELECT ctid, id FROM public.events
          WHERE id > _last_1 AND (account_id_new IS DISTINCT FROM CAST((account_id::bigint) AS bigint))
          ORDER BY id LIMIT _size
        ), locked AS MATERIALIZED (
          SELECT ctid FROM public.events
          WHERE ctid = ANY (ARRAY(SELECT ctid FROM batch)) AND (account_id_new IS DISTINCT FROM CAST((account_id::bigint) AS bigint))
          FOR UPDATE SKIP LOCKED
        ), done AS (
          UPDATE public.events SET account_id_new = CAST((account_id::bigint) AS bigint) WHERE ctid = ANY (ARRAY(SELECT ctid FROM locked))
          RETURNING 1
        )
        SELECT id, (SELECT count(*) FROM batch), (SELECT count(*) FROM done)
        INTO _last_1, _read, _changed
        FROM batch ORDER BY id DESC LIMIT 1;
      END IF;
    END IF;
    EXIT WHEN _read IS NULL;
    _total := _total + _changed;
    COMMIT;
    -- a batch holds its rows' locks until it commits, so a client writing one waits that long:
    -- the next batch is sized to take about 100 ms from the time this one took
    _took_ms := 1000 * extract(epoch FROM clock_timestamp() - _started);
    _size := least(greatest(round(_size * 100 / greatest(_took_ms, 1)), 100), 50000, _size * 2);
    -- rows the batch read but did not change: another session held them (or changed them since).
    -- Finished now, in the batch's range alone, waiting for that session; left to the last
    -- statement, each would stay locked while it scans the table. A batch that changed every
    -- row it read has nothing left in its range: its rows are not read again
    _careful := _changed < _read;
    IF _careful THEN
      IF _first THEN
        UPDATE public.events SET account_id_new = CAST((account_id::bigint) AS bigint) WHERE id <= _last_1 AND (account_id_new IS DISTINCT FROM CAST((account_id::bigint) AS bigint));
      ELSE
        UPDATE public.events SET account_id_new = CAST((account_id::bigint) AS bigint) WHERE id > _prev_1 AND id <= _last_1 AND (account_id_new IS DISTINCT FROM CAST((account_id::bigint) AS bigint));
      END IF;
      COMMIT;
    END IF;
    _first := false;
    -- while other sessions of the database are busy (or hidden from this role), a pause of
    -- 50% of the batch's time gives their reads and commits the disk and the CPUs; alone, the walk goes on
    IF EXISTS (SELECT FROM pg_stat_activity WHERE datname = current_database()
        AND pid <> pg_backend_pid() AND backend_type = 'client backend' AND state IS DISTINCT FROM 'idle') THEN
      PERFORM pg_sleep(_took_ms * 50 / 100000.0);
    END IF;
  END LOOP;
  -- rows still pending: normally none (rows held during their range's statement, rows whose key moved)
  UPDATE public.events SET account_id_new = CAST((account_id::bigint) AS bigint) WHERE account_id_new IS DISTINCT FROM CAST((account_id::bigint) AS bigint);
END
$backfill$;
