#!/usr/bin/env bash
# Load test (issue 19; `make load`): gunicorn as documented (docs/deploy.md, "Processes") on 127.0.0.1, locust
# headless, bounded in users and time, ramping up over 30 s; people log in through the real login path and
# click with 5-15 s between pages. Then every accepted public alert is looked up in the database, and
# bench/load/report.py writes the summary (requests/s, p50/p95/p99 per page, errors, server CPU per request)
# and exits 1 if p95 is over 300 ms or any request failed.
# Usage: DATABASE_URL=postgres://... bench/load/run.sh [USERS] [DURATION] [OUT_DIR]
# LOAD_WORKERS / LOAD_THREADS override gunicorn's settings (to compare them). LOAD_STEADY=1 counts only what
# follows the ramp (the logins of every user at once are a storm no office makes; for the capacity figure).
# FAULT_AT=SECONDS and PG_CLUSTER="15 drill" restart that PostgreSQL cluster during the run (fault drill).
set -euo pipefail
cd "$(dirname "$0")/../.."
users=${1:-50}; duration=${2:-10m}; out=${3:-var/load/$(date -u +%Y%m%d-%H%M%S)}
port=${LOAD_PORT:-8765}
mkdir -p "$out"
export PYTHONPATH=$PWD DJANGO_SETTINGS_MODULE=bench.load.settings
export KINGA_LOAD_SESSIONS=$out/sessions.json KINGA_LOAD_CODES=$out/codes.txt KINGA_LOAD_USERS=$users
: > "$KINGA_LOAD_CODES"
.venv/bin/kinga migrate -v0
.venv/bin/kinga createcachetable  # the shared cache (public form counters, used TOTP codes) is a table
[ -f var/static/staticfiles.json ] || .venv/bin/kinga collectstatic --noinput -v0
.venv/bin/python bench/load/sessions.py "$KINGA_LOAD_SESSIONS"
alerts_before=$(.venv/bin/kinga shell -v 0 -c "from kinga.community.models import Alert; print(Alert.objects.count())")
.venv/bin/gunicorn kinga.wsgi:application --config gunicorn.conf.py --bind 127.0.0.1:$port \
  --workers "${LOAD_WORKERS:-2}" --threads "${LOAD_THREADS:-4}" \
  --access-logfile "$out/access.log" --error-logfile "$out/gunicorn.log" --pid "$out/gunicorn.pid" &
gunicorn=$!
trap 'kill $gunicorn 2>/dev/null || true' EXIT
for _ in $(seq 1 60); do curl -sf -o /dev/null "http://127.0.0.1:$port/health" && break; sleep 1; done
echo "gunicorn: ${LOAD_WORKERS:-2} workers x ${LOAD_THREADS:-4} threads; $users users for $duration" > "$out/settings.txt"
cpu_before=$(.venv/bin/python bench/load/report.py cpu "$gunicorn" "$DATABASE_URL")
( while sleep 10; do echo "$(date -u +%H:%M:%S) $(cut -d' ' -f1-3 /proc/loadavg)"; done ) > "$out/loadavg.txt" &
sampler=$!
if [ -n "${FAULT_AT:-}" ]; then
  (
    sleep "$FAULT_AT"
    echo "restart at $(date -u +%H:%M:%S.%N)" > "$out/fault.txt"
    pg_ctlcluster --skip-systemctl-redirect ${PG_CLUSTER:-15 drill} restart
    echo "cluster back at $(date -u +%H:%M:%S.%N)" >> "$out/fault.txt"
  ) &
  # Recovery as the app sees it: a page that needs the database, polled every 0.2 s from the restart.
  ( sleep "$FAULT_AT"; first503=""; while true; do
      code=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/alerte/" || echo 000)
      now=$(date -u +%s.%N)
      if [ "$code" = 503 ] && [ -z "$first503" ]; then first503=$now; echo "first 503 at $now" >> "$out/recovery.txt"; fi
      if [ "$code" = 200 ] && [ -n "$first503" ]; then echo "first 200 after it at $now" >> "$out/recovery.txt"; break; fi
      sleep 0.2
    done ) &
fi
.venv/bin/locust -f bench/load/locustfile.py --headless -u "$users" -r "$(python3 -c "print(max($users / 30, 0.1))")" -t "$duration" \
  --host "http://127.0.0.1:$port" --csv "$out/locust" --only-summary ${LOAD_STEADY:+--reset-stats} > "$out/locust.txt" 2>&1 || true
cpu_after=$(.venv/bin/python bench/load/report.py cpu "$gunicorn" "$DATABASE_URL")
kill $sampler 2>/dev/null || true
.venv/bin/kinga shell -v 0 -c "
from kinga.community.models import Alert
codes = [c.strip() for c in open('$KINGA_LOAD_CODES') if c.strip()]
found = set(Alert.objects.filter(feedback_code__in=codes).values_list('feedback_code', flat=True))
print(f'alerts before {$alerts_before}, after {Alert.objects.count()}; accepted codes {len(codes)}, in the database {len(found)}, lost {len(set(codes) - found)}')
" | tee "$out/alerts.txt"
echo "results in $out"
.venv/bin/python bench/load/report.py summary "$out" "$cpu_before" "$cpu_after"
