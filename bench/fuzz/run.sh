#!/usr/bin/env bash
# API probe: schemathesis over the whole OpenAPI document (and every path again with a `.json` suffix),
# once per role with that role's token, against gunicorn as documented (2 workers x 4 threads) on loopback,
# on the demo database in PostgreSQL. Check: no 5xx. Bounded in time per role.
# Usage: DATABASE_URL=postgres://.../kinga_fuzz bench/fuzz/run.sh [SECONDS_PER_ROLE] [OUT_DIR]
set -euo pipefail
cd "$(dirname "$0")/../.."
per_role=${1:-120}; out=${2:-var/fuzz/$(date -u +%Y%m%d-%H%M%S)}
port=${FUZZ_PORT:-8766}
mkdir -p "$out"
export PYTHONPATH=$PWD DJANGO_SETTINGS_MODULE=bench.load.settings
.venv/bin/kinga migrate -v0
.venv/bin/kinga createcachetable
.venv/bin/kinga load-reference >/dev/null
.venv/bin/kinga synth --scale demo --if-empty >/dev/null
.venv/bin/kinga demo-accounts >/dev/null
.venv/bin/python bench/fuzz/tokens.py "$out/tokens.json"
.venv/bin/python bench/fuzz/schema.py "$out/openapi.json"
.venv/bin/gunicorn kinga.wsgi:application --config gunicorn.conf.py --bind 127.0.0.1:$port --workers 2 --threads 4 \
  --access-logfile "$out/access.log" --error-logfile "$out/gunicorn.log" &
gunicorn=$!
trap 'kill $gunicorn 2>/dev/null || true' EXIT
for _ in $(seq 1 60); do curl -sf -o /dev/null "http://127.0.0.1:$port/health" && break; sleep 1; done
status=0
for role in $(.venv/bin/python -c "import json,sys; print(' '.join(json.load(open(sys.argv[1]))))" "$out/tokens.json"); do
  key=$(.venv/bin/python -c "import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])" "$out/tokens.json" "$role")
  echo "== $role"
  .venv/bin/schemathesis run "$out/openapi.json" --url "http://127.0.0.1:$port" \
    --header "Authorization: Token $key" --checks not_a_server_error --workers 2 \
    --max-time "$per_role" --continue-on-failure --suppress-health-check all \
    --report junit --report-dir "$out/$role" > "$out/$role.txt" 2>&1 || status=1
  tail -n 25 "$out/$role.txt"
done
echo "5xx lines in the access log: $(awk '$7 ~ /^5/' "$out/access.log" | wc -l)"
exit $status
