//! The catalog queries introspection runs, one `const` each.
//!
//! Every query reads all objects of its kind at once (no query per table), so their number is
//! fixed whatever the size of the database. They run inside the read-only transaction that
//! `introspect` opens with `search_path = pg_catalog`, which makes `format_type`, `pg_get_expr`
//! and friends print every name outside `pg_catalog` schema-qualified.
//!
//! Queries after [`NAMESPACES`] take one parameter, `$1 oid[]`: the namespaces to read, already
//! filtered (system schemas, extension-owned schemas, include and exclude options). Objects that
//! belong to an extension (`pg_depend.deptype = 'e'`) are left out: by the query that reads
//! them, and the columns, constraints, indexes, triggers and policies of an extension's table
//! with their table. Text columns come back as `text`, single-character codes (`relkind`,
//! `contype`…) as one-letter `text`.

/// Session settings for the introspection transaction, so every printed name, value and
/// expression comes out the same whatever the server's or the role's defaults: with only
/// `pg_catalog` on the path, every other name is schema-qualified; dates, times, intervals and
/// floats print in one fixed style. JIT compilation is off: the planner's cost estimates for
/// these catalog queries cross its threshold, and compiling took longer (800 ms for a
/// 2,000-table schema) than running the query. Parallel workers are off too: they took the
/// columns, constraints and indexes queries 0.5 s more CPU in all at 10,000 tables (two cores)
/// to finish them barely sooner, and an introspection should not take a production server's
/// parallel workers from its application.
pub const SESSION_SETTINGS: &str = "\
SET LOCAL search_path = pg_catalog;
SET LOCAL jit = off;
SET LOCAL max_parallel_workers_per_gather = 0;
SET LOCAL TimeZone = 'UTC';
SET LOCAL DateStyle = 'ISO, MDY';
SET LOCAL IntervalStyle = 'postgres';
SET LOCAL extra_float_digits = 3;";

/// The server version, as `SHOW server_version` and `server_version_num` print it.
pub const SERVER: &str = "\
SELECT current_setting('server_version') AS server_version,
       current_setting('server_version_num')::int4 AS server_version_num";

/// Every user schema: not a system schema (`pg_catalog`, `information_schema`, `pg_toast*`,
/// `pg_temp*`; PostgreSQL reserves the `pg_` prefix) and not created by an extension.
pub const NAMESPACES: &str = r"
SELECT n.oid, n.nspname::text AS name
FROM pg_namespace n
WHERE n.nspname NOT LIKE 'pg\_%'
  AND n.nspname <> 'information_schema'
  AND NOT EXISTS (SELECT FROM pg_depend d
                  WHERE d.classid = 'pg_namespace'::regclass AND d.objid = n.oid AND d.deptype = 'e')";

/// Installed extensions and the schema each lives in, leaving out the ones every database has
/// from `initdb` (`plpgsql`): their oids are below `FirstNormalObjectId`, 16384.
pub const EXTENSIONS: &str = "
SELECT e.extname::text AS name, n.nspname::text AS schema
FROM pg_extension e
JOIN pg_namespace n ON n.oid = e.extnamespace
WHERE e.oid >= 16384";

/// Enum types with their labels in sort order (`enumsortorder`, which `ADD VALUE … BEFORE`
/// makes fractional, so the labels are not in oid order).
pub const ENUMS: &str = "
SELECT t.oid, t.typnamespace AS namespace, t.typname::text AS name,
       COALESCE(array_agg(e.enumlabel::text ORDER BY e.enumsortorder)
                  FILTER (WHERE e.enumlabel IS NOT NULL), '{}') AS labels
FROM pg_type t
LEFT JOIN pg_enum e ON e.enumtypid = t.oid
WHERE t.typnamespace = ANY($1) AND t.typtype = 'e'
  AND NOT EXISTS (SELECT FROM pg_depend d
                  WHERE d.classid = 'pg_type'::regclass AND d.objid = t.oid AND d.deptype = 'e')
GROUP BY t.oid";

/// Domains: base type, NOT NULL, default, collation when it is not the base type's, and the
/// check constraints as parallel arrays sorted by name.
pub const DOMAINS: &str = "
SELECT t.oid, t.typnamespace AS namespace, t.typname::text AS name,
       format_type(t.typbasetype, t.typtypmod) AS data_type,
       t.typnotnull AS not_null,
       pg_get_expr(t.typdefaultbin, 0) AS default_expr,
       cn.nspname::text AS collation_schema, co.collname::text AS collation_name,
       COALESCE(array_agg(c.conname::text ORDER BY c.conname)
                  FILTER (WHERE c.oid IS NOT NULL), '{}') AS check_names,
       COALESCE(array_agg(pg_get_expr(c.conbin, 0) ORDER BY c.conname)
                  FILTER (WHERE c.oid IS NOT NULL), '{}') AS check_expressions,
       COALESCE(array_agg(c.convalidated ORDER BY c.conname)
                  FILTER (WHERE c.oid IS NOT NULL), '{}') AS check_valid
FROM pg_type t
JOIN pg_type bt ON bt.oid = t.typbasetype
LEFT JOIN pg_collation co ON co.oid = t.typcollation AND t.typcollation <> bt.typcollation
LEFT JOIN pg_namespace cn ON cn.oid = co.collnamespace
LEFT JOIN pg_constraint c ON c.contypid = t.oid AND c.contype = 'c'
WHERE t.typnamespace = ANY($1) AND t.typtype = 'd'
  AND NOT EXISTS (SELECT FROM pg_depend d
                  WHERE d.classid = 'pg_type'::regclass AND d.objid = t.oid AND d.deptype = 'e')
GROUP BY t.oid, cn.nspname, co.collname";

/// Free-standing sequences with their parameters and the column that owns them (`OWNED BY`,
/// an auto dependency on a table column). Identity sequences (an internal dependency on their
/// column) belong to the column and are left out.
pub const SEQUENCES: &str = "
SELECT c.oid, c.relnamespace AS namespace, c.relname::text AS name,
       format_type(s.seqtypid, NULL) AS data_type,
       s.seqstart AS start, s.seqincrement AS increment, s.seqmin AS min_value,
       s.seqmax AS max_value, s.seqcache AS cache, s.seqcycle AS cycle,
       c.relpersistence = 'u' AS unlogged,
       owner.relname::text AS owner_table, owner_column.attname::text AS owner_column
FROM pg_sequence s
JOIN pg_class c ON c.oid = s.seqrelid
LEFT JOIN pg_depend od ON od.classid = 'pg_class'::regclass AND od.objid = c.oid
     AND od.refclassid = 'pg_class'::regclass AND od.refobjsubid > 0 AND od.deptype = 'a'
LEFT JOIN pg_class owner ON owner.oid = od.refobjid
LEFT JOIN pg_attribute owner_column ON owner_column.attrelid = od.refobjid
     AND owner_column.attnum = od.refobjsubid
WHERE c.relnamespace = ANY($1) AND c.relkind = 'S'
  AND NOT EXISTS (SELECT FROM pg_depend d
                  WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid
                    AND d.deptype IN ('i', 'e'))";

/// Tables (ordinary, partitioned, partitions), views, materialized views and the relations
/// behind free-standing composite types, with what the model and the statistics need of each:
/// persistence, row security, options, view body, partition key, parent and bound, row
/// estimate (`NULL` when never analysed) and size on disk.
///
/// The size is the pages of the table, its TOAST table and its indexes as of their last build,
/// VACUUM or ANALYZE (`relpages`). With `$2` true the table's main fork is measured now
/// instead: that opens every table (0.35 s of the server's time at 10,000 tables), so it is
/// asked for only where sizes are shown. Measuring the TOAST tables and indexes too
/// (`pg_total_relation_size`) would open each of those as well.
pub const RELATIONS: &str = "
WITH index_pages AS (
    SELECT x.indrelid, sum(ix.relpages)::int8 AS pages
    FROM pg_index x
    JOIN pg_class ix ON ix.oid = x.indexrelid
    GROUP BY x.indrelid)
SELECT c.oid, c.relnamespace AS namespace, c.relname::text AS name, c.relkind::text AS kind,
       c.reltype AS type_oid, c.relnatts AS column_slots,
       c.relpersistence = 'u' AS unlogged,
       c.relrowsecurity AS row_security, c.relforcerowsecurity AS force_row_security,
       COALESCE(c.reloptions::text[], '{}') AS options,
       CASE WHEN c.relkind IN ('v', 'm') THEN pg_get_viewdef(c.oid, false) END AS view_definition,
       CASE WHEN c.relkind = 'p' THEN pg_get_partkeydef(c.oid) END AS partition_by,
       pn.nspname::text AS parent_schema, p.relname::text AS parent_name,
       CASE WHEN c.relispartition THEN pg_get_expr(c.relpartbound, c.oid) END AS partition_bound,
       CASE WHEN c.reltuples >= 0 THEN c.reltuples::int8 END AS estimated_rows,
       CASE WHEN c.relkind IN ('r', 'm') THEN
              CASE WHEN $2 THEN pg_relation_size(c.oid)
                   ELSE c.relpages::int8 * current_setting('block_size')::int8 END
              + (COALESCE(t.relpages, 0) + COALESCE(ip.pages, 0) + COALESCE(tp.pages, 0))
                * current_setting('block_size')::int8
            WHEN c.relkind <> 'c' THEN 0 END AS total_bytes
FROM pg_class c
LEFT JOIN pg_inherits i ON c.relispartition AND i.inhrelid = c.oid
LEFT JOIN pg_class p ON p.oid = i.inhparent
LEFT JOIN pg_namespace pn ON pn.oid = p.relnamespace
LEFT JOIN pg_class t ON t.oid = c.reltoastrelid
LEFT JOIN index_pages ip ON ip.indrelid = c.oid
LEFT JOIN index_pages tp ON tp.indrelid = c.reltoastrelid
WHERE c.relnamespace = ANY($1) AND c.relkind IN ('r', 'p', 'v', 'm', 'c')
  AND NOT EXISTS (SELECT FROM pg_depend d
                  WHERE d.deptype = 'e'
                    AND ((d.classid = 'pg_class'::regclass AND d.objid = c.oid)
                      OR (d.classid = 'pg_type'::regclass AND d.objid = c.reltype)))";

/// Every column of the selected tables, partitions, materialized views and composite types, and
/// of the tables their foreign keys reference (dropped and system columns left out), in no
/// particular order: sorting 100,000 rows here costs more than sorting each table's few in
/// Rust. All of them come with name and collation oid, which is what constraint and index keys
/// (given as column numbers) are resolved against. `listed` marks the ones the model shows: not
/// a materialized view's, not a referenced table's, and of a partition only the ones it did not
/// inherit; only those get their type and default printed. The default is a generated column's
/// expression when `generated` is set. The column's type comes as an oid too: its collation is
/// shown only when it differs from the type's ([`TYPE_COLLATIONS`]), named from
/// [`COLLATIONS`]; joined here, the two lookups were an eighth of the query. An identity
/// column's sequence comes from [`IDENTITY_SEQUENCES`], read next: joined here, it was a sixth
/// of this query, the longest of the catalog's.
pub const COLUMNS: &str = "
SELECT a.attrelid AS relation, a.attnum AS position, a.attname::text AS name,
       a.attcollation AS collation_oid, l.listed,
       CASE WHEN l.listed THEN format_type(a.atttypid, a.atttypmod) END AS data_type,
       a.attnotnull AS not_null, a.attidentity::text AS identity,
       a.attgenerated::text AS generated,
       -- A default cannot refer to columns, so it needs no relation to print, and opening
       -- one per default cost more than the rest of the query; a generated column's does.
       CASE WHEN NOT l.listed THEN NULL
            WHEN a.attgenerated = '' THEN pg_get_expr(ad.adbin, 0)
            ELSE pg_get_expr(ad.adbin, ad.adrelid) END AS default_expr,
       a.atttypid AS type_oid
FROM pg_attribute a
JOIN pg_class c ON c.oid = a.attrelid
CROSS JOIN LATERAL (
    SELECT c.relnamespace = ANY($1) AND c.relkind IN ('r', 'p', 'c')
           AND (a.attislocal OR NOT c.relispartition) AS listed) l
LEFT JOIN pg_attrdef ad ON l.listed AND ad.adrelid = a.attrelid AND ad.adnum = a.attnum
WHERE a.attnum > 0 AND NOT a.attisdropped AND c.relkind IN ('r', 'p', 'm', 'c')
  AND (c.relnamespace = ANY($1)
       OR c.oid IN (SELECT fk.confrelid
                    FROM pg_constraint fk
                    JOIN pg_class fr ON fr.oid = fk.conrelid
                    WHERE fk.contype = 'f' AND fr.relnamespace = ANY($1)))";

/// Set for [`COLUMNS`] alone: its hash of every column (8 MB at 10,000 tables) overflowed the
/// default 4 MB into temporary files, which cost it 30–45 ms of its 250–290 ms. The planner
/// estimates that hash at a fifth of its size, so only the setting avoids the spill. It is
/// undone after ([`COLUMNS_SETTINGS_UNDONE`]): with it, the indexes query chose a plan that took
/// 20–35 ms longer.
pub const COLUMNS_SETTINGS: &str = "SET LOCAL work_mem = '32MB'";

/// [`COLUMNS_SETTINGS`] undone, once the columns are read.
pub const COLUMNS_SETTINGS_UNDONE: &str = "RESET work_mem";

/// The sequence of each identity column of the selected relations (an internal dependency of
/// the sequence on the column), for the column's options.
pub const IDENTITY_SEQUENCES: &str = "
SELECT d.refobjid AS relation, d.refobjsubid::int2 AS position,
       s.seqstart AS start, s.seqincrement AS increment, s.seqmin AS min_value,
       s.seqmax AS max_value, s.seqcache AS cache, s.seqcycle AS cycle
FROM pg_depend d
JOIN pg_sequence s ON s.seqrelid = d.objid
JOIN pg_class t ON t.oid = d.refobjid
WHERE d.classid = 'pg_class'::regclass AND d.refclassid = 'pg_class'::regclass
  AND d.deptype = 'i' AND d.refobjsubid > 0 AND t.relnamespace = ANY($1)";

/// Primary keys, unique, foreign-key, check and exclusion constraints of tables, leaving out
/// the ones a partition or child inherited (`conislocal` false). Columns come as numbers
/// (named from the columns query): the key, the referenced table's for a foreign key, and for
/// PK and UNIQUE the backing index's positions, whose tail past `indnkeyatts` is INCLUDE. A
/// check comes as its stored tree.
pub const CONSTRAINTS: &str = "
SELECT c.oid, c.conrelid AS relation, c.conname::text AS name, c.contype::text AS kind,
       c.condeferrable AS deferrable, c.condeferred AS deferred,
       c.convalidated AS valid, c.connoinherit AS no_inherit,
       COALESCE(c.conkey, '{}') AS column_numbers,
       COALESCE(i.indkey::int2[], '{}') AS index_column_numbers,
       COALESCE(i.indnkeyatts, 0)::int4 AS index_key_count,
       COALESCE(i.indnullsnotdistinct, false) AS nulls_not_distinct,
       c.confrelid AS referenced_relation,
       fn.nspname::text AS referenced_schema, f.relname::text AS referenced_table,
       COALESCE(c.confkey, '{}') AS referenced_numbers,
       c.confupdtype::text AS on_update, c.confdeltype::text AS on_delete,
       c.confmatchtype::text AS match_type,
       -- The stored tree, printed once per distinct form (`PRINT_EXPRESSIONS`).
       CASE WHEN c.contype = 'c' THEN c.conbin::text END AS check_tree,
       CASE WHEN c.contype = 'x' THEN pg_get_constraintdef(c.oid) END AS definition
FROM pg_constraint c
JOIN pg_class r ON r.oid = c.conrelid
LEFT JOIN pg_index i ON c.contype IN ('p', 'u') AND i.indexrelid = c.conindid
LEFT JOIN pg_class f ON f.oid = c.confrelid
LEFT JOIN pg_namespace fn ON fn.oid = f.relnamespace
WHERE r.relnamespace = ANY($1) AND r.relkind IN ('r', 'p')
  AND c.contype IN ('p', 'u', 'f', 'c', 'x')
  AND c.conislocal";

/// Indexes of tables and materialized views that no constraint owns (PK, UNIQUE and EXCLUDE
/// indexes belong to their constraint) and that are not a partition of a parent's index, one row
/// per key position: the key positions of all selected indexes are expanded at once with
/// `generate_series`. Each row repeats its index's own facts (the stored trees of the predicate
/// and of the expressions only on the row of position 1), with the columns as numbers (`indkey`:
/// 0 for an expression; positions past `indnkeyatts` are INCLUDE), and gives its key's operator
/// class and collation as oids (named from [`OPERATOR_CLASSES`] and [`COLLATIONS`]: looked up
/// here for each key, they were a third of the query), for an expression its type's collation
/// to compare against, and `indoption` bits. Rows are grouped back into indexes in Rust:
/// aggregating them here sorted every group once per array, which cost more than the rest of
/// the query.
pub const INDEXES: &str = "
WITH selected AS MATERIALIZED (
    SELECT i.indexrelid, i.indnkeyatts
    FROM pg_index i
    JOIN pg_class t ON t.oid = i.indrelid
    WHERE t.relnamespace = ANY($1) AND t.relkind IN ('r', 'p', 'm')
      AND NOT EXISTS (SELECT FROM pg_constraint c
                      WHERE c.conindid = i.indexrelid AND c.conrelid = i.indrelid
                        AND c.contype IN ('p', 'u', 'x'))
      AND NOT EXISTS (SELECT FROM pg_inherits h WHERE h.inhrelid = i.indexrelid))
SELECT i.indrelid AS relation, ic.oid, ic.relname::text AS name, i.indisunique AS is_unique,
       am.amname::text AS method, i.indnullsnotdistinct AS nulls_not_distinct,
       COALESCE(ic.reloptions::text[], '{}') AS options,
       -- The stored trees, printed once per distinct form (`PRINT_EXPRESSIONS`).
       CASE WHEN k.n = 1 THEN i.indpred::text END AS predicate_tree,
       CASE WHEN k.n = 1 THEN i.indexprs::text END AS expression_trees,
       i.indkey::int2[] AS column_numbers, i.indnkeyatts::int4 AS key_count,
       k.n AS position,
       -- Only expression keys look up their type, and those are few.
       CASE WHEN i.indkey[k.n - 1] = 0 THEN
              (SELECT et.typcollation FROM pg_attribute ea
               JOIN pg_type et ON et.oid = ea.atttypid
               WHERE ea.attrelid = i.indexrelid AND ea.attnum = k.n) END
         AS expression_collation,
       i.indclass[k.n - 1] AS opclass_oid,
       i.indcollation[k.n - 1] AS collation_oid,
       i.indoption[k.n - 1] AS option
FROM selected s
CROSS JOIN LATERAL generate_series(1, s.indnkeyatts) AS k(n)
JOIN pg_index i ON i.indexrelid = s.indexrelid
JOIN pg_class ic ON ic.oid = i.indexrelid
JOIN pg_am am ON am.oid = ic.relam";

/// The text of each distinct form of the index expressions, index predicates and check
/// constraints the indexes and constraints queries returned as stored trees, printed on one
/// object of that form: `$1` the printer of each (`k` an index key, `p` an index predicate, `c` a
/// check constraint), `$2` the index or constraint, `$3` the key position (`k` only). One row
/// each, in the order asked; a `NULL` text for an object no longer there.
pub const PRINT_EXPRESSIONS: &str = "
SELECT CASE r.printer
         WHEN 'k' THEN pg_get_indexdef(r.object, r.position, true)
         WHEN 'p' THEN (SELECT pg_get_expr(i.indpred, i.indrelid)
                        FROM pg_index i WHERE i.indexrelid = r.object)
         WHEN 'c' THEN (SELECT pg_get_expr(c.conbin, c.conrelid)
                        FROM pg_constraint c WHERE c.oid = r.object)
       END AS text
FROM unnest($1::text[], $2::oid[], $3::int4[]) WITH ORDINALITY AS r(printer, object, position, at)
ORDER BY r.at";

/// User triggers of tables: not internal (constraint triggers of foreign keys) and not cloned
/// onto a partition from its parent's trigger.
pub const TRIGGERS: &str = "
SELECT t.tgrelid AS relation, t.tgname::text AS name,
       pg_get_triggerdef(t.oid) AS definition, t.tgenabled <> 'D' AS enabled
FROM pg_trigger t
JOIN pg_class c ON c.oid = t.tgrelid
WHERE c.relnamespace = ANY($1) AND c.relkind IN ('r', 'p')
  AND NOT t.tgisinternal AND t.tgparentid = 0";

/// Row-security policies with their roles by name (`public` for role 0, every role).
pub const POLICIES: &str = "
SELECT p.polrelid AS relation, p.polname::text AS name, p.polcmd::text AS command,
       p.polpermissive AS permissive,
       ARRAY(SELECT COALESCE(ro.rolname::text, 'public')
             FROM unnest(p.polroles) AS r(oid)
             LEFT JOIN pg_roles ro ON r.oid <> 0 AND ro.oid = r.oid) AS roles,
       pg_get_expr(p.polqual, p.polrelid) AS using_expr,
       pg_get_expr(p.polwithcheck, p.polrelid) AS with_check
FROM pg_policy p
JOIN pg_class c ON c.oid = p.polrelid
WHERE c.relnamespace = ANY($1)";

/// Functions, procedures and aggregates. Functions and procedures come with PostgreSQL's own
/// `CREATE OR REPLACE` text; aggregates with the parts of their `pg_aggregate` row from which
/// `CREATE AGGREGATE` is assembled, each support function as schema and name, types printed by
/// `format_type`.
pub const ROUTINES: &str = "
SELECT p.oid, p.pronamespace AS namespace, p.proname::text AS name, p.prokind::text AS kind,
       pg_get_function_identity_arguments(p.oid) AS identity_args,
       CASE WHEN p.prokind <> 'a' THEN pg_get_functiondef(p.oid) END AS definition,
       p.proparallel::text AS parallel,
       a.aggkind::text AS agg_kind,
       sfn.nspname::text AS sfunc_schema, sf.proname::text AS sfunc_name,
       format_type(a.aggtranstype, NULL) AS stype, a.aggtransspace AS sspace,
       ffn.nspname::text AS finalfunc_schema, ff.proname::text AS finalfunc_name,
       a.aggfinalextra AS finalfunc_extra, a.aggfinalmodify::text AS finalfunc_modify,
       a.agginitval AS initcond,
       cfn.nspname::text AS combinefunc_schema, cf.proname::text AS combinefunc_name,
       serfn.nspname::text AS serialfunc_schema, serf.proname::text AS serialfunc_name,
       desfn.nspname::text AS deserialfunc_schema, desf.proname::text AS deserialfunc_name,
       msfn.nspname::text AS msfunc_schema, msf.proname::text AS msfunc_name,
       mifn.nspname::text AS minvfunc_schema, mif.proname::text AS minvfunc_name,
       CASE WHEN a.aggmtranstype <> 0 THEN format_type(a.aggmtranstype, NULL) END AS mstype,
       a.aggmtransspace AS msspace,
       mffn.nspname::text AS mfinalfunc_schema, mff.proname::text AS mfinalfunc_name,
       a.aggmfinalextra AS mfinalfunc_extra, a.aggmfinalmodify::text AS mfinalfunc_modify,
       a.aggminitval AS minitcond,
       son.nspname::text AS sortop_schema, so.oprname::text AS sortop_name
FROM pg_proc p
LEFT JOIN pg_aggregate a ON a.aggfnoid = p.oid
LEFT JOIN pg_proc sf ON sf.oid = a.aggtransfn
LEFT JOIN pg_namespace sfn ON sfn.oid = sf.pronamespace
LEFT JOIN pg_proc ff ON ff.oid = a.aggfinalfn
LEFT JOIN pg_namespace ffn ON ffn.oid = ff.pronamespace
LEFT JOIN pg_proc cf ON cf.oid = a.aggcombinefn
LEFT JOIN pg_namespace cfn ON cfn.oid = cf.pronamespace
LEFT JOIN pg_proc serf ON serf.oid = a.aggserialfn
LEFT JOIN pg_namespace serfn ON serfn.oid = serf.pronamespace
LEFT JOIN pg_proc desf ON desf.oid = a.aggdeserialfn
LEFT JOIN pg_namespace desfn ON desfn.oid = desf.pronamespace
LEFT JOIN pg_proc msf ON msf.oid = a.aggmtransfn
LEFT JOIN pg_namespace msfn ON msfn.oid = msf.pronamespace
LEFT JOIN pg_proc mif ON mif.oid = a.aggminvtransfn
LEFT JOIN pg_namespace mifn ON mifn.oid = mif.pronamespace
LEFT JOIN pg_proc mff ON mff.oid = a.aggmfinalfn
LEFT JOIN pg_namespace mffn ON mffn.oid = mff.pronamespace
LEFT JOIN pg_operator so ON so.oid = a.aggsortop
LEFT JOIN pg_namespace son ON son.oid = so.oprnamespace
WHERE p.pronamespace = ANY($1) AND p.prokind IN ('f', 'p', 'w', 'a')
  AND NOT EXISTS (SELECT FROM pg_depend d
                  WHERE d.classid = 'pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e')";

/// Operators with what `CREATE OPERATOR` needs: the implementing function, argument types
/// (`NULL` for the missing left side of a prefix operator), commutator and negator, selectivity
/// estimators, and the HASHES and MERGES flags.
pub const OPERATORS: &str = "
SELECT o.oid, o.oprnamespace AS namespace, o.oprname::text AS name,
       CASE WHEN o.oprleft <> 0 THEN format_type(o.oprleft, NULL) END AS left_type,
       CASE WHEN o.oprright <> 0 THEN format_type(o.oprright, NULL) END AS right_type,
       fn.nspname::text AS function_schema, f.proname::text AS function_name,
       comn.nspname::text AS commutator_schema, com.oprname::text AS commutator_name,
       negn.nspname::text AS negator_schema, neg.oprname::text AS negator_name,
       rfn.nspname::text AS restrict_schema, rf.proname::text AS restrict_name,
       jfn.nspname::text AS join_schema, jf.proname::text AS join_name,
       o.oprcanhash AS hashes, o.oprcanmerge AS merges
FROM pg_operator o
LEFT JOIN pg_proc f ON f.oid = o.oprcode
LEFT JOIN pg_namespace fn ON fn.oid = f.pronamespace
LEFT JOIN pg_operator com ON com.oid = o.oprcom
LEFT JOIN pg_namespace comn ON comn.oid = com.oprnamespace
LEFT JOIN pg_operator neg ON neg.oid = o.oprnegate
LEFT JOIN pg_namespace negn ON negn.oid = neg.oprnamespace
LEFT JOIN pg_proc rf ON rf.oid = o.oprrest
LEFT JOIN pg_namespace rfn ON rfn.oid = rf.pronamespace
LEFT JOIN pg_proc jf ON jf.oid = o.oprjoin
LEFT JOIN pg_namespace jfn ON jfn.oid = jf.pronamespace
WHERE o.oprnamespace = ANY($1)
  AND NOT EXISTS (SELECT FROM pg_depend d
                  WHERE d.classid = 'pg_operator'::regclass AND d.objid = o.oid
                    AND d.deptype = 'e')";

/// Direct dependencies of views and materialized views (their `_RETURN` rule, in any schema) on
/// the selected tables, views and materialized views: one row per column the view uses, or one
/// row with a `NULL` column when it uses the relation but none of its columns (`count(*)`).
/// A view on a view appears as a dependency on that view; following the chain is left to the
/// reader of the result. Rules on tables (`CREATE RULE`) are not views and are left out.
pub const VIEW_DEPENDENCIES: &str = "
SELECT tn.nspname::text AS table_schema, t.relname::text AS table_name,
       a.attname::text AS column_name,
       vn.nspname::text AS view_schema, v.relname::text AS view_name,
       v.relkind = 'm' AS materialized
FROM pg_depend d
JOIN pg_rewrite r ON r.oid = d.objid
JOIN pg_class v ON v.oid = r.ev_class
JOIN pg_namespace vn ON vn.oid = v.relnamespace
JOIN pg_class t ON t.oid = d.refobjid
JOIN pg_namespace tn ON tn.oid = t.relnamespace
LEFT JOIN pg_attribute a ON d.refobjsubid > 0 AND a.attrelid = d.refobjid
     AND a.attnum = d.refobjsubid
WHERE d.classid = 'pg_rewrite'::regclass AND d.refclassid = 'pg_class'::regclass
  AND d.deptype = 'n' AND r.ev_class <> d.refobjid
  AND v.relkind IN ('v', 'm') AND t.relnamespace = ANY($1)";

/// Every collation, by oid, to name the collations of columns and index keys.
pub const COLLATIONS: &str = "
SELECT co.oid, n.nspname::text AS schema, co.collname::text AS name
FROM pg_collation co
JOIN pg_namespace n ON n.oid = co.collnamespace";

/// Every operator class, by oid, to name an index key's when it is not its type's default.
pub const OPERATOR_CLASSES: &str = "
SELECT oc.oid, oc.opcdefault AS is_default, n.nspname::text AS schema,
       oc.opcname::text AS name
FROM pg_opclass oc
JOIN pg_namespace n ON n.oid = oc.opcnamespace";

/// The collation of every type that has one, to tell a column's own collation from its type's.
pub const TYPE_COLLATIONS: &str = "
SELECT t.oid, t.typcollation AS collation
FROM pg_type t
WHERE t.typcollation <> 0";

/// Comments on the objects the model keeps, by catalog: namespaces, relations and their
/// columns (`subid` is the column number), types, routines and operators. Built-in objects
/// (oid below 16384) are skipped, except schemas, since `public` is one of them.
pub const COMMENTS: &str = "
SELECT CASE d.classoid
         WHEN 'pg_namespace'::regclass THEN 'namespace'
         WHEN 'pg_class'::regclass THEN 'relation'
         WHEN 'pg_type'::regclass THEN 'type'
         WHEN 'pg_proc'::regclass THEN 'routine'
         ELSE 'operator' END AS catalog,
       d.objoid AS oid, d.objsubid AS subid, d.description AS comment
FROM pg_description d
WHERE d.classoid IN ('pg_namespace'::regclass, 'pg_class'::regclass, 'pg_type'::regclass,
                     'pg_proc'::regclass, 'pg_operator'::regclass)
  AND (d.objoid >= 16384 OR d.classoid = 'pg_namespace'::regclass)";

/// How many catalog queries introspection runs: every query above but the settings, each
/// once.
pub const QUERY_COUNT: usize = 21;
