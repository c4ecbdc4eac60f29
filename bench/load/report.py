"""The load test's figures: CPU snapshots of the server's processes, and the summary against the target.

    python bench/load/report.py cpu GUNICORN_PID DATABASE_URL          prints "gunicorn_s postgres_s"
    python bench/load/report.py summary OUT_DIR CPU_BEFORE CPU_AFTER   writes OUT_DIR/summary.md, exit 1 if missed

CPU is the processes' own time plus their reaped children's (a gunicorn worker or a database backend that ended
during the run still counts), so the server's CPU per request covers the application and the database.
Target (issue 19): p95 of all requests under LOAD_P95_MS (300 ms) and no error.
"""

from __future__ import annotations

import csv
import os
import sys
from pathlib import Path

import psutil
import psycopg

P95_TARGET_MS = float(os.environ.get("LOAD_P95_MS", "300"))


def _tree_cpu(pid: int) -> float:
    root = psutil.Process(pid)
    t = root.cpu_times()
    total = t.user + t.system + t.children_user + t.children_system
    for child in root.children(recursive=True):
        try:
            c = child.cpu_times()
            total += c.user + c.system
        except psutil.NoSuchProcess:
            pass
    return total


def cpu(gunicorn_pid: int, database_url: str) -> tuple[float, float]:
    with psycopg.connect(database_url) as conn:
        data_directory = conn.execute("SHOW data_directory").fetchone()[0]
    postmaster = int(Path(data_directory, "postmaster.pid").read_text().split()[0])
    return _tree_cpu(gunicorn_pid), _tree_cpu(postmaster)


def summary(out: Path, before: tuple[float, float], after: tuple[float, float]) -> int:
    with open(out / "locust_stats.csv") as f:
        rows = list(csv.DictReader(f))
    total = next(r for r in rows if r["Name"] == "Aggregated")
    pages = sorted((r for r in rows if r["Name"] != "Aggregated"), key=lambda r: -float(r["95%"] or 0))
    requests, failures = int(total["Request Count"]), int(total["Failure Count"])
    app_s, db_s = after[0] - before[0], after[1] - before[1]
    lines = [
        f"requests {requests}, failures {failures}, {float(total['Requests/s']):.2f} requests/s; "
        f"all requests p50 {total['50%']} ms, p95 {total['95%']} ms, p99 {total['99%']} ms",
        f"server CPU: application {app_s:.1f} s, database {db_s:.1f} s = "
        f"{1000 * (app_s + db_s) / max(requests, 1):.1f} ms per request "
        f"({1000 * app_s / max(requests, 1):.1f} application, {1000 * db_s / max(requests, 1):.1f} database)",
        "",
        "| page | requests | failures | p50 (ms) | p95 (ms) | p99 (ms) | max (ms) |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for r in pages:
        lines.append(
            f"| {r['Name']} | {r['Request Count']} | {r['Failure Count']} | {r['50%']} | {r['95%']} | "
            f"{r['99%']} | {float(r['Max Response Time']):.0f} |"
        )
    loadavg = (out / "loadavg.txt").read_text().split("\n") if (out / "loadavg.txt").exists() else []
    if loadavg:
        lines += [
            "",
            f"load average (1, 5, 15 min) at the end: {loadavg[-2] if len(loadavg) > 1 else loadavg[0]}",
        ]
    met = failures == 0 and float(total["95%"]) <= P95_TARGET_MS
    lines += ["", f"target p95 ≤ {P95_TARGET_MS:.0f} ms and no error: {'met' if met else 'MISSED'}"]
    (out / "summary.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))
    return 0 if met else 1


if __name__ == "__main__":
    if sys.argv[1] == "cpu":
        print(*cpu(int(sys.argv[2]), sys.argv[3]))
    else:
        before = tuple(float(x) for x in sys.argv[3].split())
        after = tuple(float(x) for x in sys.argv[4].split())
        sys.exit(summary(Path(sys.argv[2]), before, after))
