-- snapshot_query.sql: one stats snapshot of the current database, as one JSON document on
-- one line. This is THE snapshot query of vacwatch: scripts/record-example runs it to record
-- examples/, and the collector runs the same text against every database of every cluster.
-- The document is the "Snapshots" contract of docs/formats.md; ingest/snapshot.h decodes it.
--
-- Run it with psql (needs the `cluster` variable; -X skips ~/.psqlrc, -At prints the bare
-- value, one line per run):
--
--   psql -X -At -v cluster=NAME -f ingest/snapshot_query.sql DBNAME >>snapshots.jsonl
--
-- Needs PostgreSQL 10 or later and any role that may read pg_stat_activity in full
-- (a superuser, or a member of pg_monitor / pg_read_all_stats); it reads statistics views
-- only, takes no locks beyond AccessShare on catalogs and writes nothing.
--
-- The document's keys are the same on every server version, so that readers never branch
-- on versions:
--   * tables[] and vacuum_progress[] name their keys one by one instead of `s.*`; a column the
--     server does not have (n_ins_since_vacuum before PG13, max_dead_tuples/num_dead_tuples
--     after their PG17 rename) is null, and columns newer servers add (last_seq_scan,
--     n_tup_newpage_upd, ... in PG16+) are left out. `to_jsonb(row) -> 'name'` is what makes a
--     missing column null instead of a parse error.
--   * jsonb prints keys shortest first, then alphabetically; readers must not rely on order.
--   * relid/datid are oids and print as JSON strings ("16389"); ages are integers
--     (xid counts); timestamps are ISO 8601 with their zone; reloptions is null or an array of
--     "name=value" strings.
-- xmin_holders lists the five backends holding the oldest xmin/xid in the whole cluster (a
-- session in any database can hold back the horizon of shared catalogs, and the on-call needs
-- its pid and application_name); the collector's own backend is left out.
SELECT jsonb_build_object(
  'kind', 'pg_stat_snapshot',
  'cluster', :'cluster',
  'database', current_database(),
  'collected_at', now(),
  'server_version_num', current_setting('server_version_num')::int,
  -- Everything autovacuum's trigger and throttling arithmetic needs. Values stay pg_settings'
  -- strings in pg_settings' units (cost delay in ms, naptime in s, work mem in kB).
  'settings', (SELECT jsonb_object_agg(name, setting) FROM pg_settings
               WHERE name LIKE 'autovacuum%'
                  OR name IN ('vacuum_cost_delay', 'vacuum_cost_limit', 'maintenance_work_mem',
                              'block_size', 'track_counts', 'vacuum_freeze_min_age',
                              'vacuum_freeze_table_age', 'log_autovacuum_min_duration')),
  'xmin_holders', (SELECT coalesce(jsonb_agg(h), '[]'::jsonb) FROM (
      SELECT pid, datname, usename, application_name, backend_type, state, xact_start,
             age(backend_xmin) AS xmin_age, age(backend_xid) AS xid_age
      FROM pg_stat_activity
      WHERE (backend_xmin IS NOT NULL OR backend_xid IS NOT NULL)
        AND pid <> pg_backend_pid()
      ORDER BY greatest(age(backend_xmin), age(backend_xid)) DESC NULLS LAST, pid
      LIMIT 5) h),
  'replication_slots', (SELECT coalesce(jsonb_agg(jsonb_build_object(
      'slot_name', slot_name, 'slot_type', slot_type, 'database', database, 'active', active,
      'xmin_age', age(xmin), 'catalog_xmin_age', age(catalog_xmin)) ORDER BY slot_name),
      '[]'::jsonb)
      FROM pg_replication_slots),
  'prepared_xacts', (SELECT coalesce(jsonb_agg(jsonb_build_object(
      'gid', gid, 'database', database, 'prepared', prepared,
      'xid_age', age(transaction)) ORDER BY age(transaction) DESC), '[]'::jsonb)
      FROM pg_prepared_xacts),
  -- Running VACUUMs of this database (autovacuum workers and manual ones), with the worker's
  -- transaction start: how long the current run has taken.
  'vacuum_progress', (SELECT coalesce(jsonb_agg(
      (SELECT jsonb_object_agg(k, to_jsonb(p) -> k)
       FROM unnest(ARRAY['pid', 'datid', 'datname', 'relid', 'phase', 'heap_blks_total',
                         'heap_blks_scanned', 'heap_blks_vacuumed', 'index_vacuum_count',
                         'max_dead_tuples', 'num_dead_tuples']) AS k)
      || jsonb_build_object('xact_start', a.xact_start, 'backend_type', a.backend_type)
      ORDER BY p.pid), '[]'::jsonb)
      FROM pg_stat_progress_vacuum p LEFT JOIN pg_stat_activity a USING (pid)
      WHERE p.datname = current_database()),
  -- One row per user table: pg_stat_user_tables' counters, plus what pg_class knows (the
  -- planner's row estimate behind the thresholds, sizes, freeze ages, per-table overrides).
  'tables', (SELECT coalesce(jsonb_agg(
      (SELECT jsonb_object_agg(k, to_jsonb(s) -> k)
       FROM unnest(ARRAY['relid', 'schemaname', 'relname', 'seq_scan', 'seq_tup_read',
                         'idx_scan', 'idx_tup_fetch', 'n_tup_ins', 'n_tup_upd', 'n_tup_del',
                         'n_tup_hot_upd', 'n_live_tup', 'n_dead_tup', 'n_mod_since_analyze',
                         'n_ins_since_vacuum', 'last_vacuum', 'last_autovacuum',
                         'last_analyze', 'last_autoanalyze', 'vacuum_count',
                         'autovacuum_count', 'analyze_count', 'autoanalyze_count']) AS k)
      || jsonb_build_object(
           'reltuples', c.reltuples,
           'relpages', c.relpages,
           'relation_size_bytes', pg_relation_size(c.oid),
           'total_relation_size_bytes', pg_total_relation_size(c.oid),
           'relfrozenxid_age', age(c.relfrozenxid),
           'relminmxid_age', mxid_age(c.relminmxid),
           'reloptions', c.reloptions)
      ORDER BY s.schemaname, s.relname), '[]'::jsonb)
      FROM pg_stat_user_tables s JOIN pg_class c ON c.oid = s.relid)
)::text;
