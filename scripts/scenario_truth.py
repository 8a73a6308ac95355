#!/usr/bin/env python3
"""The answer key of a recorded xmin-horizon scenario, computed from the recorded data.

scripts/record-scenario calls it at the end of a recording:

    scenario_truth.py --recorder recorder.json --dir DIR --expected DIR/expected.json \
                      --summary summary.md

and it can be run again on a finished scenario directory (it then takes the recorder's
observations from the `recorder` member of the existing expected.json):

    scripts/scenario_truth.py --dir tests/data/scenarios/prepared-xact \
        --expected tests/data/scenarios/prepared-xact/expected.json

DIR holds postgresql.log and snapshots.jsonl, plain or gzipped (.gz). recorder.json is what
the recorder itself saw: the scenario, the start time and, per episode, when the root was
pinned and released and the identifiers it read at that moment (pid, gid, backend_xid,
slot xmin...). Everything else comes from the recorded files. Python 3 standard library only.

Rules (also written into expected.json's `notes`):
  trigger      autovacuum's vacuum trigger of a table in a snapshot: autovacuum_vacuum_threshold
               + autovacuum_vacuum_scale_factor * reltuples, from the snapshot's `settings`,
               overridden by the table's `reloptions`; reltuples -1 (never analyzed) counts as 0.
  run          one "automatic vacuum of table "db.schema.table"" entry of postgresql.log; its
               time is the entry's (the end of the run); it gives `tuples: N removed`,
               `... M are dead but not yet removable` and `removable cutoff: X`.
  root value   the root's own raw value in the snapshots taken during the pin
               (xmin_holders[].backend_xid for a session holding an xid, backend_xmin for a
               snapshot-only session, prepared_xacts[].transaction, replication_slots[].xmin,
               walsenders[].backend_xmin for standby-noslot), checked against what the recorder read when it made the pin.
  pinned run   a run during the pin whose removable cutoff equals the root value and that
               left dead-but-not-yet-removable tuples (> 0).
  must_alert   (per episode) the table's n_dead_tup went over its trigger in a snapshot taken
               during the pin, AND at least 2 consecutive runs of it during the pin logged the
               same removable cutoff with dead-but-not-yet-removable > 0, that cutoff being the
               root value (`cutoff_is_root` false marks the weaker case: the same cutoff, not
               the root's). crossed_trigger_at: collected_at of the first snapshot during the
               pin with n_dead_tup > trigger.
  first_effective_vacuum_after_release   the end time of the table's first run after the
               release whose removable cutoff is past the root value and that removed tuples.
  quiet        tables that never went over their trigger in any snapshot of the recording (and
               had no run stopped at a root value with dead-but-not-yet-removable tuples left),
               and tables over it only briefly (no run of consecutive over-trigger snapshots
               spanning more than QUIET_MAX_OVER_S seconds) whose every run was effective (its
               cutoff past the previous run's, and tuples removed > 0 or, for the rows page
               pruning had already cut down, "N dead item identifiers removed" > 0).
  unjudged     the other tables that are in no episode's must_alert, each with the reason.
  pinned_but_not_must_alert   (per episode) tables with runs at the root's cutoff during the
               pin that miss a must_alert condition (e.g. never over the trigger in a snapshot).
"""

import argparse
import collections
import datetime as dt
import gzip
import json
import os
import re
import sys

QUIET_MAX_OVER_S = 20  # 4 consecutive snapshots 5 s apart; a pinned table stays over for the whole pin
UTC = dt.timezone.utc


def open_text(path):
    if os.path.exists(path):
        return open(path, encoding="utf-8", errors="replace")
    if os.path.exists(path + ".gz"):
        return gzip.open(path + ".gz", "rt", encoding="utf-8", errors="replace")
    sys.exit(f"scenario_truth: neither {path} nor {path}.gz exists")


def parse_iso(text):
    return dt.datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(UTC)


def iso_z(when):
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def xid_after(a, b):
    """True when 32-bit xid a is logically after b."""
    return 0 < ((a - b) % (1 << 32)) < (1 << 31)


# ---- snapshots ----
def trigger_of(settings, table):
    threshold = float(settings["autovacuum_vacuum_threshold"])
    scale = float(settings["autovacuum_vacuum_scale_factor"])
    for opt in table.get("reloptions") or []:
        name, _, value = opt.partition("=")
        if name == "autovacuum_vacuum_threshold":
            threshold = float(value)
        elif name == "autovacuum_vacuum_scale_factor":
            scale = float(value)
    reltuples = table.get("reltuples")
    reltuples = 0.0 if reltuples is None or reltuples < 0 else float(reltuples)
    return threshold + scale * reltuples


def read_snapshots(path):
    snaps = []
    with open_text(path) as f:
        for line in f:
            line = line.strip()
            if not line:
                continue
            doc = json.loads(line)
            doc["_at"] = parse_iso(doc["collected_at"])
            tables = {}
            for t in doc.get("tables") or []:
                key = f'{doc["database"]}.{t["schemaname"]}.{t["relname"]}'
                tables[key] = {"n_dead_tup": t["n_dead_tup"], "trigger": trigger_of(doc["settings"], t),
                               "reltuples": t.get("reltuples")}
            doc["_tables"] = tables
            snaps.append(doc)
    snaps.sort(key=lambda d: d["_at"])
    return snaps


# ---- the log ----
LINE = re.compile(r"^(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(?:\.\d+)?) (\S+) \[(\d+)\] (.*)$")
VACUUM = re.compile(r'automatic (?:aggressive )?vacuum (?:to prevent wraparound )?of table "([^"]+)": '
                    r"index scans: (\d+)")
TUPLES = re.compile(r"tuples: (\d+) removed, (\d+) remain, (\d+) are dead but not yet removable")
CUTOFF = re.compile(r"removable cutoff: (\d+), which was (-?\d+) XIDs old when operation ended")
LPDEAD = re.compile(r"had (\d+) dead item identifiers removed")
ELAPSED = re.compile(r"elapsed: ([\d.]+) s")


def read_log_entries(path):
    """Yields (time, pid, text) per entry; continuation lines (TAB first) joined with \\n."""
    current = None
    with open_text(path) as f:
        for raw in f:
            raw = raw.rstrip("\n")
            if raw.startswith("\t") and current is not None:
                current[2].append(raw[1:])
                continue
            m = LINE.match(raw)
            if not m:
                continue
            if current is not None:
                yield current[0], current[1], "\n".join(current[2])
            stamp = dt.datetime.strptime(m.group(1), "%Y-%m-%d %H:%M:%S.%f" if "." in m.group(1)
                                         else "%Y-%m-%d %H:%M:%S")
            if m.group(2) != "UTC":
                sys.exit(f"scenario_truth: log time zone {m.group(2)}, expected UTC")
            current = (stamp.replace(tzinfo=UTC), int(m.group(3)), [m.group(4)])
    if current is not None:
        yield current[0], current[1], "\n".join(current[2])


def read_runs(path):
    runs = collections.defaultdict(list)
    for when, pid, text in read_log_entries(path):
        m = VACUUM.search(text)
        if not m:
            continue
        t, c = TUPLES.search(text), CUTOFF.search(text)
        if not t or not c:
            sys.exit(f"scenario_truth: cannot read the vacuum entry at {when}: {text[:200]!r}")
        lp, el = LPDEAD.search(text), ELAPSED.search(text)
        runs[m.group(1)].append({
            "at": when, "pid": pid, "removed": int(t.group(1)), "remain": int(t.group(2)),
            "not_removable": int(t.group(3)), "cutoff": int(c.group(1)),
            "cutoff_age_at_end": int(c.group(2)), "lpdead_removed": int(lp.group(1)) if lp else 0,
            "elapsed_s": float(el.group(1)) if el else None})
    for table_runs in runs.values():
        table_runs.sort(key=lambda r: r["at"])
    return runs


# ---- the roots ----
def values_in(snaps, start, end, getter):
    """Counter of the non-null values getter(snapshot) yields in [start, end]."""
    seen = collections.Counter()
    for s in snaps:
        if start <= s["_at"] <= end:
            for v in getter(s):
                if v is not None:
                    seen[v] += 1
    return seen


def resolve_root(scenario, pin, snaps, start, end):
    """(root dict for expected.json, root value, check dict) of one episode."""
    check = {}
    if scenario in ("idle-writer", "snapshot-report", "throttled-analyze"):
        pid = pin["pid"]
        holders = lambda s: [h for h in s.get("xmin_holders") or [] if h["pid"] == pid]
        has_xid = scenario == "idle-writer"
        field = "backend_xid" if has_xid else "backend_xmin"
        seen = values_in(snaps, start, end, lambda s: [h[field] for h in holders(s)])
        other_field = values_in(snaps, start, end,
                                lambda s: [h["backend_xmin" if has_xid else "backend_xid"] for h in holders(s)])
        dbs = values_in(snaps, start, end, lambda s: [s["database"] for h in holders(s)])
        root = {"kind": "session", "pid": pid, "application_name": pin["application_name"],
                "database": pin["database"], "scope": "cluster" if has_xid else "database"}
        recorded = pin["backend_xid"] if has_xid else pin["backend_xmin"]
        key = "xid" if has_xid else "xmin"
        check["listed_in_snapshots_of"] = sorted(dbs)
        check[f"snapshot_{'backend_xmin' if has_xid else 'backend_xid'}_values"] = \
            {str(k): v for k, v in other_field.items()}
    elif scenario == "prepared-xact":
        gid = pin["gid"]
        seen = values_in(snaps, start, end, lambda s: [p["transaction"] for p in s.get("prepared_xacts") or []
                                                      if p["gid"] == gid])
        root = {"kind": "prepared_xact", "gid": gid, "database": pin["database"], "scope": "cluster"}
        recorded, key = pin["transaction"], "xid"
    elif scenario == "standby-noslot":
        app = pin["walsender_application_name"]
        senders = lambda s: [w for w in s.get("walsenders") or [] if w["application_name"] == app]
        seen = values_in(snaps, start, end, lambda s: [w["backend_xmin"] for w in senders(s)])
        pids = values_in(snaps, start, end, lambda s: [w["pid"] for w in senders(s)])
        slots = values_in(snaps, start, end, lambda s: [r["slot_name"] for r in s.get("replication_slots") or []])
        root = {"kind": "walsender", "application_name": app, "pid": pin["walsender_pid"], "scope": "cluster"}
        recorded, key = pin["backend_xmin"], "xmin"
        check["snapshot_walsender_pids"] = {str(k): v for k, v in pids.items()}
        check["snapshot_replication_slots"] = dict(slots)
        for k in ("standby_snapshot_at", "standby_snapshot_s"):
            check[k] = pin[k]
        check["standby_session"] = pin["standby_session"]
        check["standby_session_backend_xmin"] = pin["standby_session"]["backend_xmin"]
    else:  # standby-query, standby-gone
        slot = pin["slot_name"]
        slots = lambda s: [r for r in s.get("replication_slots") or [] if r["slot_name"] == slot]
        seen = values_in(snaps, start, end, lambda s: [r["xmin"] for r in slots(s)])
        active = values_in(snaps, start, end, lambda s: [r["active"] for r in slots(s)])
        walsenders = values_in(snaps, start, end, lambda s: [w["application_name"] for w in s.get("walsenders") or []])
        root = {"kind": "replication_slot", "slot_name": slot, "slot_type": "physical", "active": pin["active"],
                "scope": "cluster", "walsender_application_name": pin["walsender_application_name"],
                "standby_session": pin["standby_session"]}
        recorded, key = pin["slot_xmin"], "xmin"
        check["snapshot_active_values"] = {str(k).lower(): v for k, v in active.items()}
        check["snapshot_walsender_application_names"] = dict(walsenders)
        for k in ("standby_snapshot_at", "standby_snapshot_s", "slot_xmin_at", "slot_xmin_s",
                  "standby_stop_requested_at", "standby_stop_requested_s"):
            if k in pin:
                root[k] = pin[k]
        if "slot_xmin_after_stop" in pin:
            check["slot_xmin_after_standby_stop"] = pin["slot_xmin_after_stop"]
        check["standby_session_backend_xmin"] = pin["standby_session"]["backend_xmin"]
    if not seen:
        sys.exit(f"scenario_truth: the root of the episode pinned at {iso_z(start)} is in no snapshot")
    value = seen.most_common(1)[0][0]
    root[key] = value
    check.update({"snapshot_values": {str(k): v for k, v in seen.items()}, "recorder_value": recorded,
                  "snapshots_agree_with_recorder": set(seen) == {recorded}})
    return root, value, check


# ---- per table ----
def over_stretches(points, interval_s):
    """Spans (start, end, seconds) of consecutive points (at, over?) that are over."""
    spans, first, last = [], None, None
    for at, over in points:
        if over:
            if first is None:
                first = at
            last = at
        elif first is not None:
            spans.append((first, last, (last - first).total_seconds() + interval_s))
            first = None
    if first is not None:
        spans.append((first, last, (last - first).total_seconds() + interval_s))
    return spans


def effective(run, previous):
    """Cutoff past the previous run's, and something removed: dead tuples, or the dead item
    identifiers page pruning had left behind (non-HOT updates)."""
    advanced = previous is None or xid_after(run["cutoff"], previous["cutoff"])
    return advanced and (run["removed"] > 0 or run["lpdead_removed"] > 0)


def analyse_episode(table, series, runs, start, end, value, started):
    during = [p for p in series if start <= p["at"] <= end]
    crossed = next((p for p in during if p["n_dead_tup"] > p["trigger"]), None)
    peak = max(during, key=lambda p: p["n_dead_tup"] - p["trigger"], default=None)
    in_pin = [r for r in runs if start <= r["at"] <= end]
    pinned = [r for r in in_pin if r["cutoff"] == value and r["not_removable"] > 0]
    pair_root = pair_same = None
    for a, b in zip(in_pin, in_pin[1:]):
        if a["cutoff"] == b["cutoff"] and a["not_removable"] > 0 and b["not_removable"] > 0:
            if a["cutoff"] == value and pair_root is None:
                pair_root = (a, b)
            if pair_same is None:
                pair_same = (a, b)
    pair = pair_root or pair_same
    after = next((r for r in runs if r["at"] > end and xid_after(r["cutoff"], value) and r["removed"] > 0), None)
    rel = lambda t: round((t - started).total_seconds(), 1)
    facts = {
        "snapshots_in_pin": len(during),
        "max_over_trigger": None if peak is None else {
            "n_dead_tup": peak["n_dead_tup"], "trigger": round(peak["trigger"], 1), "at_s": rel(peak["at"])},
        "crossed_trigger_s": None if crossed is None else rel(crossed["at"]),
        "runs_in_pin": len(in_pin),
        "runs_at_root_cutoff": len(pinned),
        "runs_removing_0": sum(1 for r in in_pin if r["removed"] == 0),
        "cutoffs_in_pin": sorted({r["cutoff"] for r in in_pin}),
        "max_not_removable": max((r["not_removable"] for r in in_pin), default=None),
        "first_effective_after_release_s": None if after is None else rel(after["at"]),
    }
    verdict = None
    if crossed is not None and pair is not None:
        verdict = {"crossed_trigger_at": iso_z(crossed["at"]), "crossed_trigger_s": rel(crossed["at"]),
                   "n_dead_tup_at_crossing": crossed["n_dead_tup"], "trigger": round(crossed["trigger"], 1),
                   "removable_cutoff": pair[0]["cutoff"], "cutoff_is_root": pair[0]["cutoff"] == value,
                   "first_pinned_run_at": iso_z(pair[0]["at"]), "runs_at_root_cutoff": len(pinned)}
    why_not = None
    if verdict is None:
        if crossed is None and pinned:
            why_not = (f"{len(pinned)} of {len(in_pin)} runs during the pin at the root's cutoff, but "
                       f"n_dead_tup never over the trigger in a snapshot during the pin")
        elif crossed is not None and pinned:
            why_not = (f"over the trigger from {rel(crossed['at'])} s, but no 2 consecutive runs during the pin "
                       f"with the same cutoff ({len(pinned)} of {len(in_pin)} runs at the root's cutoff)")
    return facts, verdict, after, why_not


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--dir", required=True, help="the scenario's files (postgresql.log, snapshots.jsonl, .gz or not)")
    ap.add_argument("--recorder", help="recorder.json; default: the `recorder` member of --expected")
    ap.add_argument("--expected", required=True, help="where to write expected.json")
    ap.add_argument("--summary", help="where to write a Markdown summary for the README")
    args = ap.parse_args()

    if args.recorder:
        with open(args.recorder, encoding="utf-8") as f:
            rec = json.load(f)
    else:
        with open(args.expected, encoding="utf-8") as f:
            rec = json.load(f)["recorder"]
    scenario = rec["scenario"]
    started = parse_iso(rec["started_at"])
    interval = rec["snapshot_interval_s"]
    snaps = read_snapshots(os.path.join(args.dir, "snapshots.jsonl"))
    runs = read_runs(os.path.join(args.dir, "postgresql.log"))
    rel = lambda t: round((t - started).total_seconds(), 1)

    series = collections.defaultdict(list)  # table -> [{at, n_dead_tup, trigger}]
    for s in snaps:
        for key, t in s["_tables"].items():
            series[key].append({"at": s["_at"], "n_dead_tup": t["n_dead_tup"], "trigger": t["trigger"]})
    tables = sorted(series)

    by_episode = collections.defaultdict(dict)
    for e in rec["events"]:
        by_episode[e["episode"]].setdefault(e["event"], e)
    episodes, details, checks = [], [], []
    for n in sorted(by_episode):
        pin, release = by_episode[n].get("pin"), by_episode[n].get("release")
        if not pin or not release:
            sys.exit(f"scenario_truth: episode {n} lacks its pin or its release")
        start, end = parse_iso(pin["at"]), parse_iso(release["at"])
        root, value, check = resolve_root(scenario, pin, snaps, start, end)
        per_table, must, first_eff, other = {}, {}, {}, {}
        for key in tables:
            facts, verdict, after, why_not = analyse_episode(key, series[key], runs.get(key, []), start, end,
                                                             value, started)
            per_table[key] = facts
            if verdict:
                must[key] = verdict
                first_eff[key] = iso_z(after["at"]) if after else None
            elif why_not:
                other[key] = why_not
        # Every run of the pin, all tables: did the log's cutoff equal the root value?
        all_in_pin = [r for rs in runs.values() for r in rs if start <= r["at"] <= end]
        cutoffs_by_db = collections.defaultdict(collections.Counter)
        for key, rs in runs.items():
            for r in rs:
                if start <= r["at"] <= end:
                    cutoffs_by_db[key.split(".")[0]][r["cutoff"]] += 1
        check["log_cutoffs_during_pin_by_database"] = {
            db: {str(k): v for k, v in c.most_common()} for db, c in sorted(cutoffs_by_db.items())}
        check["runs_during_pin"] = len(all_in_pin)
        check["runs_during_pin_at_root_value"] = sum(1 for r in all_in_pin if r["cutoff"] == value)
        ep = {"episode": n, "pin_at": iso_z(start), "pin_s": rel(start), "release_at": iso_z(end),
              "release_s": rel(end), "root": root, "must_alert": must,
              "first_effective_vacuum_after_release": first_eff}
        if other:
            ep["pinned_but_not_must_alert"] = other
        episodes.append(ep)
        details.append(per_table)
        checks.append(check)

    # quiet / unjudged over the whole recording
    alerting = {k for ep in episodes for k in ep["must_alert"]}
    root_values = {ep["root"].get("xid", ep["root"].get("xmin")) for ep in episodes}
    quiet, unjudged = [], {}
    for key in tables:
        if key in alerting:
            continue
        points = [(p["at"], p["n_dead_tup"] > p["trigger"]) for p in series[key]]
        spans = over_stretches(points, interval)
        table_runs = runs.get(key, [])
        bad = [r for prev, r in zip([None] + table_runs, table_runs) if not effective(r, prev)]
        pinned_runs = [r for r in table_runs if r["not_removable"] > 0 and r["cutoff"] in root_values]
        if not spans and not pinned_runs:
            quiet.append(key)
        elif not spans:
            unjudged[key] = (f"never over its trigger in a snapshot, but {len(pinned_runs)} of its runs stopped at a "
                             f"root's cutoff with dead-but-not-yet-removable tuples left, first at "
                             f"{rel(pinned_runs[0]['at'])} s")
        elif max(s[2] for s in spans) <= QUIET_MAX_OVER_S and not bad:
            quiet.append(key)
        else:
            longest = max(spans, key=lambda s: s[2])
            reasons = []
            if longest[2] > QUIET_MAX_OVER_S:
                reasons.append(f"over its trigger for {longest[2]:.0f} s from {rel(longest[0])} s")
            if bad:
                pinned_bad = [r for r in bad if r["cutoff"] in root_values]
                reasons.append(f"{len(bad)} of {len(table_runs)} runs not effective (cutoff not past the previous "
                               f"run's, or nothing removed; {len(pinned_bad)} of them at a root's value), first at "
                               f"{rel(bad[0]['at'])} s")
            unjudged[key] = "; ".join(reasons)

    notes = (
        "Computed by scripts/scenario_truth.py from postgresql.log and snapshots.jsonl of this directory (not from "
        "the design). trigger = autovacuum_vacuum_threshold + autovacuum_vacuum_scale_factor * reltuples (the "
        "snapshot's settings, overridden by the table's reloptions; reltuples -1 counts as 0). A run is one "
        "'automatic vacuum of table' log entry, timed at its log line (the end of the run). The root value is the "
        "root's raw value in the snapshots during the pin (xmin_holders[].backend_xid or backend_xmin, "
        "prepared_xacts[].transaction, replication_slots[].xmin), checked against what the recorder read "
        "(recorder.events). must_alert (per episode): n_dead_tup over the trigger in a snapshot taken during the "
        "pin AND at least 2 consecutive runs during the pin with the same removable cutoff and dead-but-not-yet-"
        "removable > 0 (cutoff_is_root: that cutoff is the root value); crossed_trigger_at = collected_at of the "
        "first snapshot during the pin with n_dead_tup > trigger. first_effective_vacuum_after_release = end of "
        "the first run after the release with a cutoff past the root value and tuples removed > 0 (null: none "
        "before the recording ended). quiet = never over the trigger in any snapshot (and no run stopped at a "
        "root's value with dead-but-not-yet-removable tuples left: such a table is unjudged), or over it only briefly "
        f"(no stretch of consecutive over-trigger snapshots longer than {QUIET_MAX_OVER_S} s) with every run "
        "effective (cutoff past the previous run's, and tuples removed > 0 or dead item identifiers removed > 0): "
        "such tables must get no warning or "
        "critical alert. unjudged = the other tables in no must_alert, with the reason; "
        "pinned_but_not_must_alert (per episode) = tables with runs at the root's cutoff during the pin "
        "that miss one of the must_alert conditions: an alert on them in that episode is neither required nor "
        "wrong (unless the table is quiet). root_checks (per episode) compares the root value in the snapshots, "
        "the recorder's reading and the log's removable cutoffs. "
        "Times are UTC; *_s are seconds since started_at.")
    if scenario == "standby-noslot":
        notes = notes.replace("replication_slots[].xmin)", "replication_slots[].xmin, walsenders[].backend_xmin)")
    expected = {"scenario": scenario, "cluster": rec["cluster"], "started_at": rec["started_at"],
                "snapshot_interval_s": interval, "naptime_s": rec["naptime_s"], "episodes": episodes,
                "quiet": quiet, "unjudged": [{"table": k, "reason": v} for k, v in unjudged.items()],
                "root_checks": checks, "notes": notes, "recorder": rec}
    with open(args.expected, "w", encoding="utf-8") as f:
        json.dump(expected, f, indent=1)
        f.write("\n")
    if args.summary:
        with open(args.summary, "w", encoding="utf-8") as f:
            f.write(summary(rec, episodes, details, checks, quiet, unjudged, tables, runs))


DESIGN = {
    "idle-writer": (
        "A session in app (application_name `billing_worker`) runs `BEGIN; UPDATE billing_runs SET ... WHERE id = N;` "
        "and then sits idle in transaction: it holds an xid (backend_xid) and, between statements, no snapshot. "
        "Release: `COMMIT`, then it disconnects. Episode 2 is a new session (new pid, new xid). An xid is seen as "
        "running by every snapshot of every database, so it holds back other databases only through their own "
        "sessions' snapshots (carriers)."),
    "snapshot-report": (
        "A session in app (application_name `nightly_report`) runs `BEGIN ISOLATION LEVEL REPEATABLE READ; "
        "SELECT count(*), sum(total) FROM orders;` and sits idle in transaction: it holds a snapshot "
        "(backend_xmin) and no xid, which pins its own database only. Release: `COMMIT`, then it disconnects. "
        "Episode 2 is a new session."),
    "prepared-xact": (
        "max_prepared_transactions = 10. A session in app runs `BEGIN; UPDATE billing_runs SET ... WHERE id = N; "
        "PREPARE TRANSACTION 'billing-batch-N'` and disconnects: the prepared transaction keeps its xid "
        "(pg_prepared_xacts.transaction) with no session at all. Release: `COMMIT PREPARED 'billing-batch-N'`. "
        "Episode 2 uses gid billing-batch-2 (a new xid)."),
    "standby-query": (
        "A streaming standby made with `pg_basebackup -R -C -S standby1` (hot_standby_feedback = on, "
        "wal_receiver_status_interval = 1s, max_standby_streaming_delay = -1; primary_conninfo has "
        "application_name=standby1, so the primary's walsender shows application_name `standby1`). On the standby "
        "a session in app (`standby_report`) runs `BEGIN ISOLATION LEVEL REPEATABLE READ; SELECT count(*), "
        "sum(total) FROM orders;` and sits idle: the standby's feedback stops the physical slot standby1's xmin at "
        "that snapshot's xmin, which holds back every database of the primary. The pin is timed when the primary's "
        "slot showed that xmin (standby_snapshot_at: when the standby's snapshot was taken). Release: `COMMIT` on "
        "the standby (the slot's xmin moves on with the next feedback, within a second). Episode 2 is a new "
        "standby session; the slot and the standby stay."),
    "standby-gone": (
        "Like standby-query, but as soon as the slot carries the standby transaction's xmin the standby is shut "
        "down (`pg_ctl stop -m fast`) with the transaction still open: the slot stays, inactive, with that xmin. "
        "The pin is timed when the standby was down and the slot inactive. Release: `SELECT "
        "pg_drop_replication_slot('standby1')` on the primary. Episode 2: 20 s before it the slot is created "
        "again (`pg_create_physical_replication_slot('standby1')`) and the same standby restarted (event "
        "standby_back); it streams and feeds back until a new transaction of it is held, and it is stopped again."),
    "standby-noslot": (
        "Like standby-query, but the standby streams without a replication slot: made with `pg_basebackup -R` "
        "(no -C/-S, no primary_slot_name), hot_standby_feedback = on, wal_receiver_status_interval = 1s, "
        "max_standby_streaming_delay = -1, primary_conninfo with application_name=standby1. The standby's feedback "
        "xmin lands on the primary's walsender (pg_stat_replication.backend_xmin of `standby1`), which holds back "
        "every database of the primary. On the standby a session in app (`standby_report`) runs `BEGIN ISOLATION "
        "LEVEL REPEATABLE READ; SELECT count(*), sum(total) FROM orders;` and sits idle. The pin is timed when the "
        "primary's walsender showed that xmin (root_checks' standby_snapshot_at: when the standby's snapshot was "
        "taken); the root's pid is the walsender's pid at that moment. Release: `COMMIT` on the standby (the "
        "walsender's backend_xmin moves on with the next feedback, within a second). Episode 2 is a new standby "
        "session; the standby stays connected."),
    "throttled-analyze": (
        "A session in app (application_name `stats_refresh`) runs `SET vacuum_cost_delay = 100; SET "
        "vacuum_cost_limit = 1; ANALYZE history;` (history: 200000 rows, ~2900 pages, never written): the cost "
        "delay makes it sleep after about every page it reads, so it would last several minutes. Unlike VACUUM, "
        "ANALYZE holds an ordinary snapshot (backend_xmin, no xid): it pins its own database only. Release: "
        "`pg_cancel_backend(pid)` from another session; the ANALYZE was checked to be still running at each "
        "release. Episode 2 is a new session."),
}


def summary(rec, episodes, details, checks, quiet, unjudged, tables, runs):
    out = ["## What happened", "", DESIGN.get(rec["scenario"], ""), "",
           "## Timeline (t = seconds since started_at)", "", "| event | episode | t (s) | time | what |",
           "|---|---|---|---|---|"]
    skip = {"event", "episode", "at", "s"}
    for e in rec["events"]:
        what = ", ".join(f"{k} {json.dumps(v)}" for k, v in e.items() if k not in skip)
        out.append(f"| {e['event']} | {e['episode']} | {e['s']} | {e['at']} | {what} |")
    out.append(f"\nThe recording ended at t={rec['ended_s']} s.\n")
    for ep, per_table, check in zip(episodes, details, checks):
        root = ep["root"]
        value = root.get("xid", root.get("xmin"))
        out.append(f"## Episode {ep['episode']}: pinned t={ep['pin_s']} s to t={ep['release_s']} s")
        out.append("")
        out.append(f"Root: `{json.dumps(root)}`.")
        out.append("")
        agree = "the same" if check["snapshots_agree_with_recorder"] else "NOT the same"
        seen = ", ".join(f"{v} in {n} snapshots" for v, n in check["snapshot_values"].items())
        out.append(f"- Root value {value}: the snapshots during the pin show {seen}; the recorder read "
                   f"{check['recorder_value']} when it made the pin ({agree}).")
        for key in ("listed_in_snapshots_of", "snapshot_active_values", "snapshot_walsender_application_names",
                    "snapshot_walsender_pids", "snapshot_replication_slots", "standby_snapshot_s",
                    "standby_session_backend_xmin", "slot_xmin_after_standby_stop"):
            if key in check:
                out.append(f"- {key}: {json.dumps(check[key])}")
        out.append(f"- {check['runs_during_pin_at_root_value']} of {check['runs_during_pin']} autovacuum runs "
                   f"logged during the pin have `removable cutoff: {value}`; cutoffs per database (cutoff: runs): "
                   f"{json.dumps(check['log_cutoffs_during_pin_by_database'])}.")
        out.append("")
        out.append("| table | verdict | crossed trigger (t s) | peak n_dead_tup / trigger during pin | runs in pin "
                   "| at root cutoff | removing 0 | first effective run after release (t s) |")
        out.append("|---|---|---|---|---|---|---|---|")
        for key in tables:
            f = per_table[key]
            verdict = ("**must_alert**" if key in ep["must_alert"] else
                       "pinned, not judged" if key in ep.get("pinned_but_not_must_alert", {}) else "")
            peak = f["max_over_trigger"]
            peak_s = "" if peak is None else f"{peak['n_dead_tup']} / {peak['trigger']:.0f} (t={peak['at_s']})"
            out.append(f"| {key} | {verdict} | {f['crossed_trigger_s'] if f['crossed_trigger_s'] is not None else ''} "
                       f"| {peak_s} | {f['runs_in_pin']} | {f['runs_at_root_cutoff']} | {f['runs_removing_0']} "
                       f"| {f['first_effective_after_release_s'] if f['first_effective_after_release_s'] is not None else ''} |")
        for key, why in ep.get("pinned_but_not_must_alert", {}).items():
            out.append(f"\n{key}: {why}.")
        db = root.get("database")
        if db:
            for other_db, counts in check["log_cutoffs_during_pin_by_database"].items():
                if other_db != db:
                    at_root = counts.get(str(value), 0)
                    out.append(f"\nDatabase {other_db} (not the root's): {at_root} of {sum(counts.values())} "
                               f"autovacuum runs during the pin stopped at the root's value.")
        out.append("")
    # Tables vacuumed before the first pin that are in no must_alert: what their runs removed
    # before the first pin and during the pins (page pruning held back by carriers shows as
    # more tuples removed per run and fewer dead item identifiers).
    alerting = {k for ep in episodes for k in ep["must_alert"]}
    first_pin = parse_iso(episodes[0]["pin_at"]) if episodes else None
    windows = [(parse_iso(ep["pin_at"]), parse_iso(ep["release_at"])) for ep in episodes]
    rows = []
    for key in tables:
        rs = runs.get(key, [])
        before = [r for r in rs if first_pin and r["at"] < first_pin]
        during = [r for r in rs if any(a <= r["at"] <= b for a, b in windows)]
        if key in alerting or not before or not during:
            continue
        avg = lambda l, k: sum(r[k] for r in l) / len(l)
        rows.append(f"| {key} | {len(before)} | {avg(before, 'removed'):.0f} | {avg(before, 'lpdead_removed'):.0f} "
                    f"| {len(during)} | {avg(during, 'removed'):.0f} | {avg(during, 'lpdead_removed'):.0f} "
                    f"| {max(r['not_removable'] for r in during)} |")
    if rows:
        out.append("## Tables vacuumed but not pinned: their runs before the first pin and during the pins")
        out.append("")
        out.append("A vacuum counts the dead row versions it prunes itself as `tuples: N removed`, and those that "
                   "page pruning had already cut down to a line pointer as `N dead item identifiers removed`: more "
                   "tuples removed per run during the pins than before means that the sessions' own page pruning "
                   "was held back (their snapshots carry the root) while autovacuum's cutoff was not.")
        out.append("")
        out.append("| table | runs before | avg tuples removed | avg dead item identifiers removed | runs during pins "
                   "| avg tuples removed | avg dead item identifiers removed | max dead but not yet removable |")
        out.append("|---|---|---|---|---|---|---|---|")
        out.extend(rows)
        out.append("")
    out.append("## Quiet and unjudged tables (whole recording)")
    out.append("")
    out.append("Quiet (must get no warning/critical alert): " + (", ".join(f"`{q}`" for q in quiet) or "none") + ".")
    out.append("")
    if unjudged:
        out.append("Unjudged (in no must_alert and not quiet):")
        for k, v in unjudged.items():
            out.append(f"- `{k}`: {v}.")
    else:
        out.append("Unjudged: none.")
    out.append("")
    return "\n".join(out)


if __name__ == "__main__":
    main()
