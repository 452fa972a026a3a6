#!/usr/bin/env bash
# The load benchmark: seeds demo data through the app's own code (`quillbook
# seed-demo`), starts the release server, drives it with wrk and prints one table:
# req/s, p50 and p99 latency per page, each page's throughput as a share of the
# stylesheet's, peak RSS and cold start, on SQLite and Postgres, at scale 1 and 100.
#
#   bench/run.sh                 # everything (about 10 minutes on 2 cores)
#   SCALES="1" BACKENDS="sqlite" DURATION=3 bench/run.sh   # a quick look
#
# Needs wrk (Debian: apt-get install wrk), curl, python3, and for Postgres a server
# on 127.0.0.1:5432 where user postgres may create databases.
set -euo pipefail
cd "$(dirname "$0")/.."

SCALES=${SCALES:-"1 100"}
BACKENDS=${BACKENDS:-"sqlite postgres"}
DURATION=${DURATION:-5}
CONNECTIONS=${CONNECTIONS:-16}
OUT=${OUT:-target/bench}
mkdir -p "$OUT"
command -v wrk >/dev/null || { echo "wrk is missing: apt-get install wrk" >&2; exit 1; }

if [ -z "${QUILLBOOK_BIN:-}" ]; then
  cargo build --release --quiet
  QUILLBOOK_BIN=target/release/quillbook
fi
results="$OUT/results.tsv"
: >"$results"

run_one() {
  local backend=$1 scale=$2
  local tmp port base url db="" pid
  tmp=$(mktemp -d)
  port=$((20000 + RANDOM % 20000))
  base="http://127.0.0.1:$port"
  if [ "$backend" = postgres ]; then
    db="qb_bench_$$_$scale"
    dropdb -h 127.0.0.1 -U postgres --if-exists "$db"
    createdb -h 127.0.0.1 -U postgres "$db"
    url="postgres://postgres@127.0.0.1:5432/$db"
  else
    url="sqlite://$tmp/quillbook.db"
  fi

  echo "== $backend, scale $scale: seeding" >&2
  local seeded
  seeded=$(DATABASE_URL=$url QUILLBOOK_DATA_DIR=$tmp "$QUILLBOOK_BIN" seed-demo --scale "$scale")
  field() { python3 -c "import json,sys; print(json.loads(sys.argv[1])['$1'])" "$seeded"; }

  local started ready
  started=$(date +%s%N)
  DATABASE_URL=$url QUILLBOOK_DATA_DIR=$tmp QUILLBOOK_BIND=127.0.0.1:$port RUST_LOG=warn \
    "$QUILLBOOK_BIN" serve >"$tmp/server.log" 2>&1 &
  pid=$!
  until [ "$(curl -s -o /dev/null -w '%{http_code}' "$base/" || true)" = 200 ]; do sleep 0.005; done
  ready=$(date +%s%N)
  local cold_ms=$(( (ready - started) / 1000000 ))

  # A reader's session (anonymous cookie) and a member's.
  local reader_jar="$tmp/reader" member_jar="$tmp/member" css token
  css=$(curl -s -c "$reader_jar" "$base/" | sed -n 's/.*rel="stylesheet" href="\([^"]*\)".*/\1/p' | head -n1)
  token=$(curl -s -c "$member_jar" -b "$member_jar" "$base/login" | sed -n 's/.*name="csrf_token" value="\([^"]*\)".*/\1/p' | head -n1)
  curl -s -o /dev/null -c "$member_jar" -b "$member_jar" --data-urlencode "csrf_token=$token" \
    --data-urlencode "username=$(field member)" --data-urlencode "password=demo password" "$base/login"
  # curl marks HttpOnly cookies with a "#HttpOnly_" prefix in its jar.
  cookie() { sed 's/^#HttpOnly_//' "$1" | awk '!/^#/ && NF >= 7 { printf "%s=%s; ", $6, $7 }'; }
  local reader_cookie member_cookie
  reader_cookie=$(cookie "$reader_jar")
  member_cookie=$(grep -q quillbook_session "$member_jar" && cookie "$member_jar")

  local pages=(
    "stylesheet|$css|reader"
    "home|/|reader"
    "article|/articles/$(field article_slug)|reader"
    "tag page|/tags/$(field tag_slug)|reader"
    "search|/search?q=000042|reader"
    "monthly report|/reports/monthly?month=$(field month)|member"
    "yearly report|/reports/yearly?year=$(field year)|member"
  )
  for entry in "${pages[@]}"; do
    IFS='|' read -r name path who <<<"$entry"
    local c=$reader_cookie
    [ "$who" = member ] && c=$member_cookie
    local status
    status=$(curl -s -o /dev/null -w '%{http_code}' -H "Cookie: $c" "$base$path")
    [ "$status" = 200 ] || { echo "$name ($path) answered $status" >&2; exit 1; }
    echo "== $backend, scale $scale: $name" >&2
    wrk -t2 -c"$CONNECTIONS" -d"${DURATION}s" --latency -H "Cookie: $c" "$base$path" >"$tmp/wrk.txt"
    python3 - "$backend" "$scale" "$name" "$tmp/wrk.txt" >>"$results" <<'PY'
import re, sys
backend, scale, name, path = sys.argv[1:5]
text = open(path).read()
def ms(label):
    m = re.search(r"^\s*%s\s+([\d.]+)(us|ms|s)\s*$" % label, text, re.M)
    value, unit = float(m.group(1)), m.group(2)
    return value / 1000 if unit == "us" else value * 1000 if unit == "s" else value
rps = float(re.search(r"Requests/sec:\s+([\d.]+)", text).group(1))
errors = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
print("\t".join([backend, scale, name, f"{rps:.0f}", f"{ms('50%'):.2f}", f"{ms('99%'):.2f}", errors.group(1) if errors else "0"]))
PY
  done
  local rss_kib
  rss_kib=$(awk '/VmHWM/ { print $2 }' "/proc/$pid/status")
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$backend" "$scale" "peak RSS" "$rss_kib" "$cold_ms" "" "" >>"$results"
  kill "$pid"; wait "$pid" 2>/dev/null || true
  [ -n "$db" ] && dropdb -h 127.0.0.1 -U postgres --if-exists "$db"
  rm -rf "$tmp"
}

for backend in $BACKENDS; do
  if [ "$backend" = postgres ] && ! pg_isready -h 127.0.0.1 -p 5432 >/dev/null 2>&1; then
    echo "Postgres is not running on 127.0.0.1:5432: skipping it" >&2
    continue
  fi
  for scale in $SCALES; do
    run_one "$backend" "$scale"
  done
done

python3 bench/table.py "$results" | tee "$OUT/table.md"
