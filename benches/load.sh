#!/usr/bin/env bash
# The running server under load (issue 18): the release build serving the demo, driven by Debian's
# wrk over loopback, on SQLite and on PostgreSQL.
#
#   benches/load.sh [sqlite|postgres|both]     (default both)
#
# For each backend it builds a fresh demo database, starts `ohgov demo` on it, signs in as the
# demo's manager, and then runs, one after another with the same connections:
#   1. /healthz alone (the static page every figure is compared with);
#   2. the provider dashboard alone;
#   3. the mixed load: nine reads (dashboard, standards, workforce, the readiness API) to every
#      write (save a standard, add a CPD record), for OHGOV_LOAD_SECONDS (default 60).
# It reports p50, p99 and requests per second by kind, fails on any 5xx, and counts the writes in
# the database afterwards: every write that answered 2xx or 303 must be there (no lost writes).
# Then `ohgov verify-log` checks the audit trail the writes extended.
#
# Settings: OHGOV_LOAD_SECONDS (60), OHGOV_LOAD_SHORT_SECONDS (20, for the first two runs),
# OHGOV_LOAD_CONNECTIONS (64), OHGOV_LOAD_PG_URL (postgres://postgres@127.0.0.1:5432; the script
# drops and creates the database ohgov_load there), CARGO_TARGET_DIR.
set -euo pipefail
cd "$(dirname "$0")/.."

SECONDS_MIXED="${OHGOV_LOAD_SECONDS:-60}"
SECONDS_SHORT="${OHGOV_LOAD_SHORT_SECONDS:-20}"
CONNECTIONS="${OHGOV_LOAD_CONNECTIONS:-64}"
PG_SERVER="${OHGOV_LOAD_PG_URL:-postgres://postgres@127.0.0.1:5432}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-/var/tmp/ohgov-target}"
BACKENDS="${1:-both}"
MANAGER=manager@northshire-oh.example
PASSWORD=demo-manager-2026

if ! command -v wrk >/dev/null; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y -q wrk || { apt-get update -q && apt-get install -y -q wrk; }
fi

cargo build --release --locked --quiet
BIN="$CARGO_TARGET_DIR/release/ohgov"
WORK="$(mktemp -d /var/tmp/ohgov-load.XXXXXX)"
SERVER_PID=""
cleanup() {
  if [ -n "$SERVER_PID" ]; then kill "$SERVER_PID" 2>/dev/null || true; wait "$SERVER_PID" 2>/dev/null || true; fi
  rm -rf "$WORK"
}
trap cleanup EXIT

failed=0
problem() { echo "FAILED: $*"; failed=1; }

# One SQL count on the backend under test.
count() {
  case "$BACKEND" in
    sqlite) python3 -c 'import sqlite3, sys; print(sqlite3.connect(sys.argv[1]).execute(sys.argv[2]).fetchone()[0])' "$DB_URL" "$1" ;;
    postgres) psql -qtAX "$DB_URL" -c "$1" ;;
  esac
}

# The one field of a form page: <input ... name="NAME" value="VALUE">.
field() { grep -o "name=\"$1\" value=\"[^\"]*\"" | sed -n 1p | sed 's/.*value="\([^"]*\)"/\1/'; }

run_backend() {
  BACKEND="$1"
  local port
  port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
  local address="http://127.0.0.1:$port"
  case "$BACKEND" in
    sqlite) DB_URL="$WORK/load.db" ;;
    postgres)
      psql -qtAX "$PG_SERVER/postgres" -c "DROP DATABASE IF EXISTS ohgov_load WITH (FORCE)" >/dev/null
      psql -qtAX "$PG_SERVER/postgres" -c "CREATE DATABASE ohgov_load" >/dev/null
      DB_URL="$PG_SERVER/ohgov_load" ;;
  esac
  export OHGOV_HISTORY_KEY_FILE="$WORK/$BACKEND-history.key" OHGOV_SESSION_KEY_FILE="$WORK/$BACKEND-session.key"
  export OHGOV_MAIL_DIR="$WORK/mail" RUST_LOG=warn

  echo "== $BACKEND: building the demo"
  "$BIN" demo --db "$DB_URL" --no-serve >"$WORK/demo.log"
  "$BIN" demo --db "$DB_URL" --bind "127.0.0.1:$port" >>"$WORK/server.log" 2>&1 &
  SERVER_PID=$!
  for _ in $(seq 1 100); do
    curl -fs "$address/healthz" >/dev/null 2>&1 && break
    sleep 0.2
  done
  curl -fs "$address/healthz" >/dev/null || { cat "$WORK/server.log"; problem "$BACKEND: the server did not start"; return; }

  # Signed in as the manager, with the session's cookie and form token.
  local jar="$WORK/cookies" location provider csrf cookie token owner staff standards
  rm -f "$jar"
  csrf="$(curl -fs -c "$jar" "$address/sign-in" | field csrf_token)"
  location="$(curl -s -o /dev/null -w '%{redirect_url}' -b "$jar" -c "$jar" \
    --data-urlencode "csrf_token=$csrf" --data-urlencode "email=$MANAGER" --data-urlencode "password=$PASSWORD" \
    "$address/sign-in")"
  provider="$(printf '%s' "$location" | grep -o '/providers/[0-9]*' | grep -o '[0-9]*$' || true)"
  [ -n "$provider" ] || { problem "$BACKEND: signing in did not land on a provider ($location)"; return; }
  local standard_page
  standard_page="$(curl -fs -b "$jar" "$address/providers/$provider/assessment/GF1")"
  csrf="$(printf '%s' "$standard_page" | field csrf_token)"
  owner="$(printf '%s' "$standard_page" | grep -o '<option value="[0-9][0-9]*" selected' | sed -n 1p | grep -o '[0-9][0-9]*' || true)"
  cookie="$(awk '$6 == "ohgov_session" { print $6 "=" $7 }' "$jar")"
  staff="$(curl -fs -b "$jar" "$address/providers/$provider/workforce" | grep -o 'workforce/staff/[0-9][0-9]*"' \
    | grep -o '[0-9][0-9]*' | sort -u | sed -n 1,20p | paste -sd, -)"
  standards="$(curl -fs -b "$jar" "$address/providers/$provider/assessment/standards" | grep -o 'assessment/[A-Z][A-Z]*[0-9][0-9]*"' \
    | grep -o '[A-Z][A-Z]*[0-9][0-9]*' | sort -u | sed -n 1,10p | paste -sd, -)"
  token="$("$BIN" token create --user "$MANAGER" --database-url "$DB_URL")"
  export OHGOV_LOAD_COOKIE="$cookie" OHGOV_LOAD_CSRF="$csrf" OHGOV_LOAD_TOKEN="$token" \
    OHGOV_LOAD_PROVIDER="$provider" OHGOV_LOAD_STAFF="$staff" OHGOV_LOAD_STANDARDS="$standards" \
    OHGOV_LOAD_OWNER="$owner"
  echo "   provider $provider; ${CONNECTIONS} connections; standards saved: $standards; people given CPD: $(echo "$staff" | tr ',' '\n' | wc -l)"

  local saves_before cpd_before
  saves_before="$(count "SELECT count(*) FROM history WHERE entity = 'assessment' AND changes LIKE '%Reviewed under load (load %'")"
  cpd_before="$(count "SELECT count(*) FROM cpd_records WHERE title LIKE 'Case-based discussion (load %'")"

  local results="$WORK/$BACKEND-results"
  : >"$results"
  for mix in healthz dashboard mixed; do
    local seconds="$SECONDS_SHORT"
    [ "$mix" = mixed ] && seconds="$SECONDS_MIXED"
    echo "   $mix for ${seconds} s"
    mkdir -p "$WORK/$mix"
    OHGOV_LOAD_MIX="$mix" OHGOV_LOAD_OUT="$WORK/$mix" \
      wrk -t"$CONNECTIONS" -c"$CONNECTIONS" -d"${seconds}s" --timeout 10s -s benches/load.lua "$address" >"$WORK/$mix.wrk"
    python3 benches/load_summary.py "$WORK/$mix" "$seconds" | sed "s/^/$mix /" >>"$results"
    sed -n 's/^ *Socket errors: /   socket errors: /p' "$WORK/$mix.wrk"
  done

  local saves_after cpd_after saves_answered cpd_answered
  saves_after="$(count "SELECT count(*) FROM history WHERE entity = 'assessment' AND changes LIKE '%Reviewed under load (load %'")"
  cpd_after="$(count "SELECT count(*) FROM cpd_records WHERE title LIKE 'Case-based discussion (load %'")"
  # The columns of a kind's line: run kind count p50 p99 max rps 2xx 3xx 4xx 5xx.
  saves_answered="$(awk '$1 == "mixed" && $2 == "save_standard" { print $8 + $9 }' "$results")"
  cpd_answered="$(awk '$1 == "mixed" && $2 == "add_cpd" { print $8 + $9 }' "$results")"

  echo
  echo "| $BACKEND | requests | p50 ms | p99 ms | max ms | per second | 2xx | 3xx | 4xx | 5xx |"
  echo "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
  awk '{ printf "| %s: %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n", $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11 }' "$results"
  echo
  awk '$2 == "all" { print "   " $1 ": " $3 " requests, " $7 " per second" }' "$results"

  local healthz_rps dashboard_rps
  healthz_rps="$(awk '$1 == "healthz" && $2 == "healthz" { print $7 }' "$results")"
  dashboard_rps="$(awk '$1 == "dashboard" && $2 == "dashboard" { print $7 }' "$results")"
  echo "   dashboard alone: $dashboard_rps per second, $(awk -v d="$dashboard_rps" -v h="$healthz_rps" 'BEGIN { printf "%.2f", d / h }') of /healthz ($healthz_rps per second)"
  echo "   writes answered 2xx or 303: $saves_answered saves and $cpd_answered CPD records; in the database: $((saves_after - saves_before)) and $((cpd_after - cpd_before)) (the difference: in flight when the run stopped)"

  local server_errors
  server_errors="$(awk '$2 == "all" { n += $11 } END { print n + 0 }' "$results")"
  [ "$server_errors" = 0 ] || problem "$BACKEND: $server_errors responses were 5xx"
  # A write still in flight when wrk stopped is in the database with no answer counted: at most one
  # per connection. Fewer in the database than answered is a lost write.
  local saved=$((saves_after - saves_before)) added=$((cpd_after - cpd_before))
  [ "$saved" -ge "$saves_answered" ] || problem "$BACKEND: LOST WRITES: saved standards answered $saves_answered, found $saved"
  [ "$added" -ge "$cpd_answered" ] || problem "$BACKEND: LOST WRITES: CPD records answered $cpd_answered, found $added"
  [ $((saved - saves_answered + added - cpd_answered)) -le "$CONNECTIONS" ] \
    || problem "$BACKEND: more writes in the database than connections could have had in flight"
  [ "$saves_answered" -gt 0 ] && [ "$cpd_answered" -gt 0 ] || problem "$BACKEND: no write succeeded (see $results)"
  awk -v backend="$BACKEND" '
    $1 == "dashboard" && $2 == "dashboard" { print "   target, dashboard >= 2000/s with p99 < 50 ms: " (($7 >= 2000 && $5 < 50) ? "met" : "NOT met") }
    $1 == "mixed" && ($2 == "save_standard" || $2 == "add_cpd") { print "   target, " $2 " p99 < 100 ms: " (($5 < 100) ? "met" : "NOT met") }' "$results"

  kill "$SERVER_PID"; wait "$SERVER_PID" 2>/dev/null || true; SERVER_PID=""
  "$BIN" verify-log --database-url "$DB_URL" | tail -1 || problem "$BACKEND: verify-log failed after the load"
  [ "$BACKEND" = postgres ] && psql -qtAX "$PG_SERVER/postgres" -c "DROP DATABASE IF EXISTS ohgov_load WITH (FORCE)" >/dev/null
  echo
}

case "$BACKENDS" in
  sqlite | postgres) run_backend "$BACKENDS" ;;
  both) run_backend sqlite; run_backend postgres ;;
  *) echo "usage: benches/load.sh [sqlite|postgres|both]" >&2; exit 2 ;;
esac
echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/ { print $2 }') GiB; wrk $(wrk -v 2>&1 | sed -n 1p | awk '{ print $2 }')"
exit "$failed"
