#!/usr/bin/env bash
# Expense tracker timings against the release binary: import a CSV of $ROWS rows
# (default 20,000) in one upload, import it again (every row a duplicate), then
# render the yearly and a monthly report over them. Prints a small table.
#
#   cargo build --release
#   bench/expenses.sh                                  # a fresh SQLite file
#   bench/expenses.sh postgres://postgres@127.0.0.1/DB # an empty Postgres database
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${QUILLBOOK_BIN:-target/release/quillbook}
ROWS=${ROWS:-20000}
tmp=$(mktemp -d)
port=$((20000 + RANDOM % 20000))
base="http://127.0.0.1:$port"
db_url=${1:-sqlite://$tmp/quillbook.db}
backend=${db_url%%:*}

QUILLBOOK_DATA_DIR=$tmp QUILLBOOK_BIND=127.0.0.1:$port DATABASE_URL=$db_url RUST_LOG=warn \
  "$BIN" serve >"$tmp/server.log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null || true; wait $pid 2>/dev/null || true; rm -rf "$tmp"' EXIT
for _ in $(seq 1 100); do
  curl -sf "$base/healthz" >/dev/null 2>&1 && break
  sleep 0.1
done

jar="$tmp/cookies"
token() {
  curl -s -b "$jar" -c "$jar" "$base$1" | sed -n 's/.*name="csrf_token" value="\([^"]*\)".*/\1/p' | head -n 1
}
t=$(token /setup)
curl -s -o /dev/null -b "$jar" -c "$jar" \
  --data-urlencode "csrf_token=$t" --data-urlencode username=bench \
  --data-urlencode email=bench@example.com --data-urlencode password=benchmark-password \
  --data-urlencode password_confirm=benchmark-password "$base/setup"

python3 - "$ROWS" >"$tmp/expenses.csv" <<'PY'
import random, sys, datetime
random.seed(5)
rows = int(sys.argv[1])
cats = ["Groceries", "Housing", "Transport", "Eating out", "Health", "Leisure", "Other", "Travel"]
print("date,amount,category,description,notes")
start = datetime.date(2025, 1, 1)
for i in range(rows):
    day = start + datetime.timedelta(days=random.randrange(365))
    cents = random.randrange(50, 50000)
    print(f"{day.isoformat()},{cents // 100}.{cents % 100:02d},{random.choice(cats)},Purchase {i},")
PY

t=$(token /expenses/import)
time_of() { curl -s -o /dev/null -w "%{http_code} %{time_total}" -b "$jar" -c "$jar" "$@"; }
import1=$(time_of -F "csrf_token=$t" -F "file=@$tmp/expenses.csv;type=text/csv" "$base/expenses/import")
import2=$(time_of -F "csrf_token=$t" -F "file=@$tmp/expenses.csv;type=text/csv" "$base/expenses/import")
results=$(curl -s -b "$jar" -c "$jar" "$base/expenses/import" | grep -o 'Imported [^<]*' || true)
yearly=()
for _ in 1 2 3 4 5; do yearly+=("$(time_of "$base/reports/yearly?year=2025" | cut -d' ' -f2)"); done
monthly=()
for _ in 1 2 3 4 5; do monthly+=("$(time_of "$base/reports/monthly?month=2025-06" | cut -d' ' -f2)"); done
list=$(time_of "$base/expenses?month=2025-06" | cut -d' ' -f2)
export_all=$(time_of "$base/expenses/export.csv" | cut -d' ' -f2)
best() { printf '%s\n' "$@" | sort -n | head -n 1; }

printf '\n%s, %s rows (seconds, wall time seen by curl)\n' "$backend" "$ROWS"
printf '%-42s %s\n' "import (status, time)" "$import1"
printf '%-42s %s\n' "import again, all duplicates" "$import2"
printf '%-42s %s\n' "yearly report, best of 5" "$(best "${yearly[@]}")"
printf '%-42s %s\n' "monthly report, best of 5" "$(best "${monthly[@]}")"
printf '%-42s %s\n' "expense list, one month" "$list"
printf '%-42s %s\n' "export.csv, everything" "$export_all"
printf 'results:\n%s\n' "$results"
