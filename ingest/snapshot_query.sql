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
-- Versions: run by psql, the file adapts by itself (to_jsonb of a view row carries the columns
-- the server has). The collector (ingest/postgres/snapshot_query.h) embeds this text at build
-- time and replaces each /*vacwatch:NAME*/ ... /*end*/ part with the explicit column list of the
-- server's version (cheaper than to_jsonb of every pg_class row, and exactly the documented
-- keys), and :'cluster' with a query parameter. Keep the markers when editing.
-- The horizon (docs/formats.md, "Who holds the horizon"): every candidate root is exported with
-- its raw 32-bit value (backend_xid, backend_xmin, a prepared transaction's transaction, a
-- slot's xmin/catalog_xmin, a walsender's backend_xmin) beside its age, so a reader can rank
-- them by their own value and match them to the log's `removable cutoff: N`:
--   * xmin_holders: backends other than walsenders and running VACUUMs (whose snapshot other
--     vacuums ignore) that hold an xid or an xmin; first up to 10 that hold an xid (any
--     database: an xid pins every database), oldest own value first, then up to 10 of this
--     database that hold only a snapshot. Carriers of other databases are left out. The
--     collector's own backend (pg_backend_pid()) is never listed.
--   * walsenders: pg_stat_replication (hot_standby_feedback without a slot shows here).
--   * horizon: the oldest xid still running and the next xid, as this query's own snapshot
--     sees them: a snapshot-only session whose xmin is not older than oldest_running_xid is
--     a carrier of some running transaction, not a root.
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
                              'vacuum_freeze_table_age', 'log_autovacuum_min_duration',
                              'log_timezone')),
  'horizon', (SELECT jsonb_build_object(
      'oldest_running_xid', (txid_snapshot_xmin(snap) % 4294967296)::bigint,
      'next_xid', (txid_snapshot_xmax(snap) % 4294967296)::bigint)
      FROM txid_current_snapshot() AS snap),
  'xmin_holders', (SELECT coalesce(jsonb_agg(h - 'rank_group' - 'rank_age'
                                             ORDER BY h->'rank_group', (h->>'rank_age')::bigint DESC,
                                                      (h->>'pid')::int), '[]'::jsonb)
    FROM (
      SELECT to_jsonb(c) AS h FROM (
        SELECT a.pid, a.datname, a.usename, a.application_name, a.backend_type, a.state,
               a.xact_start, a.backend_xid::text::bigint AS backend_xid,
               a.backend_xmin::text::bigint AS backend_xmin,
               age(a.backend_xmin) AS xmin_age, age(a.backend_xid) AS xid_age,
               0 AS rank_group,
               greatest(age(a.backend_xid),
                        CASE WHEN a.datname = current_database() THEN age(a.backend_xmin) END)
                 AS rank_age
        FROM pg_stat_activity a
        WHERE a.backend_xid IS NOT NULL AND a.pid <> pg_backend_pid()
          AND a.backend_type IS DISTINCT FROM 'walsender'
          AND NOT EXISTS (SELECT 1 FROM pg_stat_progress_vacuum v WHERE v.pid = a.pid)
        ORDER BY rank_age DESC, a.pid LIMIT 10) c
      UNION ALL
      SELECT to_jsonb(c) FROM (
        SELECT a.pid, a.datname, a.usename, a.application_name, a.backend_type, a.state,
               a.xact_start, NULL::bigint AS backend_xid,
               a.backend_xmin::text::bigint AS backend_xmin,
               age(a.backend_xmin) AS xmin_age, NULL::int AS xid_age,
               1 AS rank_group, age(a.backend_xmin) AS rank_age
        FROM pg_stat_activity a
        WHERE a.backend_xid IS NULL AND a.backend_xmin IS NOT NULL
          AND a.datname = current_database() AND a.pid <> pg_backend_pid()
          AND a.backend_type IS DISTINCT FROM 'walsender'
          AND NOT EXISTS (SELECT 1 FROM pg_stat_progress_vacuum v WHERE v.pid = a.pid)
        ORDER BY rank_age DESC, a.pid LIMIT 10) c) held),
  'replication_slots', (SELECT coalesce(jsonb_agg(jsonb_build_object(
      'slot_name', slot_name, 'slot_type', slot_type, 'database', database, 'active', active,
      'active_pid', active_pid, 'xmin', xmin::text::bigint,
      'catalog_xmin', catalog_xmin::text::bigint,
      'xmin_age', age(xmin), 'catalog_xmin_age', age(catalog_xmin)) ORDER BY slot_name),
      '[]'::jsonb)
      FROM pg_replication_slots),
  'walsenders', (SELECT coalesce(jsonb_agg(jsonb_build_object(
      'pid', pid, 'application_name', application_name, 'client_addr', client_addr,
      'state', state, 'backend_start', backend_start,
      'backend_xmin', backend_xmin::text::bigint, 'xmin_age', age(backend_xmin))
      ORDER BY pid), '[]'::jsonb)
      FROM pg_stat_replication),
  'prepared_xacts', (SELECT coalesce(jsonb_agg(jsonb_build_object(
      'gid', gid, 'database', database, 'owner', owner, 'prepared', prepared,
      'transaction', transaction::text::bigint,
      'xid_age', age(transaction)) ORDER BY age(transaction) DESC, gid), '[]'::jsonb)
      FROM pg_prepared_xacts),
  -- Running VACUUMs of this database (autovacuum workers and manual ones), with the worker's
  -- transaction start: how long the current run has taken.
  'vacuum_progress', (SELECT coalesce(jsonb_agg(
      /*vacwatch:progress_columns*/to_jsonb(p)/*end*/
        || jsonb_build_object('xact_start', a.xact_start, 'backend_type', a.backend_type)
      ORDER BY p.pid), '[]'::jsonb)
      FROM pg_stat_progress_vacuum p LEFT JOIN pg_stat_activity a USING (pid)
      WHERE p.datname = current_database()),
  -- One row per user table: pg_stat_user_tables' counters, plus what pg_class knows (the
  -- planner's row estimate behind the thresholds, sizes, freeze ages, per-table overrides).
  'tables', (SELECT coalesce(jsonb_agg(
      /*vacwatch:table_columns*/to_jsonb(s)/*end*/ || jsonb_build_object(
        'reltuples', c.reltuples,
        'relpages', c.relpages,
        'relation_size_bytes', pg_relation_size(c.oid),
        'total_relation_size_bytes', pg_total_relation_size(c.oid),
        'relfrozenxid_age', age(c.relfrozenxid),
        'relminmxid_age', mxid_age(c.relminmxid),
        -- PG18+: scales the insert trigger; read through to_jsonb so older servers give null.
        'relallfrozen', /*vacwatch:relallfrozen*/(to_jsonb(c) ->> 'relallfrozen')::bigint/*end*/,
        'reloptions', c.reloptions)
      ORDER BY s.schemaname, s.relname), '[]'::jsonb)
      FROM pg_stat_user_tables s JOIN pg_class c ON c.oid = s.relid)
)::text;
