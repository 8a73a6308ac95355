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
-- (a superuser, or a member of pg_monitor / pg_read_all_stats). It writes nothing; the size
-- functions take AccessShareLock on each table, so a collector sets lock_timeout to avoid
-- queueing behind an ACCESS EXCLUSIVE lock (psql -c "SET lock_timeout = '2s'" -f ...).
--
-- Shape (docs/formats.md is the reference; on PostgreSQL 15 the keys are exactly those of the
-- recorded datasets):
--   * tables[] carries every column of pg_stat_user_tables under its own name, so the set
--     follows the server version (n_ins_since_vacuum from PG13, last_seq_scan and
--     n_tup_newpage_upd from PG16, total_autovacuum_time from PG18); a column the server lacks
--     is absent. vacuum_progress[] likewise carries pg_stat_progress_vacuum as the server has
--     it (PG17 renamed the dead-tuple columns). Readers skip keys they do not know.
--   * jsonb prints keys shortest first, then alphabetically; readers must not rely on order.
--   * relid/datid are oids and print as JSON strings ("16389"); ages are integers
--     (xid counts); timestamps are ISO 8601 with their zone; reloptions is null or an array of
--     "name=value" strings. Rows are sorted, so that equal states give equal documents.
-- xmin_holders lists the five backends holding the oldest xmin/xid in the whole cluster (a
-- session in any database can hold back the horizon of shared catalogs, and the on-call needs
-- its pid and application_name); the collector's own backend, whose xmin is the snapshot of
-- this very query, is left out.
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
      to_jsonb(p) || jsonb_build_object('xact_start', a.xact_start, 'backend_type', a.backend_type)
      ORDER BY p.pid), '[]'::jsonb)
      FROM pg_stat_progress_vacuum p LEFT JOIN pg_stat_activity a USING (pid)
      WHERE p.datname = current_database()),
  -- One row per user table: pg_stat_user_tables' counters, plus what pg_class knows (the
  -- planner's row estimate behind the thresholds, sizes, freeze ages, per-table overrides).
  'tables', (SELECT coalesce(jsonb_agg(
      to_jsonb(s) || jsonb_build_object(
        'reltuples', c.reltuples,
        'relpages', c.relpages,
        'relation_size_bytes', pg_relation_size(c.oid),
        'total_relation_size_bytes', pg_total_relation_size(c.oid),
        'relfrozenxid_age', age(c.relfrozenxid),
        'relminmxid_age', mxid_age(c.relminmxid),
        -- PG18+: scales the insert trigger; read through to_jsonb so older servers give null.
        'relallfrozen', (to_jsonb(c) ->> 'relallfrozen')::bigint,
        'reloptions', c.reloptions)
      ORDER BY s.schemaname, s.relname), '[]'::jsonb)
      FROM pg_stat_user_tables s JOIN pg_class c ON c.oid = s.relid)
)::text;
