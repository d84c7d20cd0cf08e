# The equipment part of `scripts/bench --equipment`, sourced by it (it uses the bench's `api`,
# `paired`, `pair`, `ratio`, `$base`, `$tenant`, `$portal`, `$customer`, `$session`).
#
# equipment_setup: the Acme tenant's plan and portal get the equipment and reports apps; an asset of the
# bench customer, shared with it from 2025-01-01, gets a year (2025) of hourly activity in
# batches of 1,000 through the API, timed; then the same batches again (all duplicates).
# equipment_measure: the report (by day and by week), its CSV, the asset page and the fleet
# list, each paired with the one-query D1 route. equipment_ratios: their ratios.

ASSET_KEY=bench-excavator-1
YEAR_FROM=2025-01-01
YEAR_TO=2025-12-31

# Prints the batch files' paths: 8,760 hourly `hours` readings (the counter grows by one an
# hour while the machine runs) and a start at 07:00 and a stop at 16:00 UTC on each weekday,
# in time order, 1,000 events a batch.
equipment_batches() { # dir
  python3 - "$1" <<'PY'
import datetime, json, os, sys
out = sys.argv[1]
start = datetime.datetime(2025, 1, 1, tzinfo=datetime.timezone.utc)
events, counter = [], 1000.0
for h in range(8760):
    t = start + datetime.timedelta(hours=h)
    stamp = t.strftime("%Y-%m-%dT%H:%M:%SZ")
    working = t.weekday() < 5
    if working and t.hour == 7:
        events.append({"id": f"start-{h}", "at": stamp, "kind": "start"})
    if working and t.hour == 16:
        events.append({"id": f"stop-{h}", "at": stamp, "kind": "stop"})
    if working and 7 < t.hour <= 16:
        counter += 1
    events.append({"id": f"hours-{h}", "at": stamp, "kind": "hours", "value": counter})
for n in range(0, len(events), 1000):
    path = os.path.join(out, f"batch-{n // 1000:02d}.json")
    with open(path, "w") as f:
        json.dump({"events": events[n:n + 1000]}, f)
    print(path)
PY
}

# Posts every batch once, one after another; prints "<events> <seconds> <accepted>
# <duplicates>", the seconds being the sum of the requests' own times (curl's time_total).
equipment_ingest() { # batch files...
  local answer time accepted=0 duplicates=0 events=0 seconds=0
  for file in "$@"; do
    answer=$(curl -fsS -w '\n%{time_total}' -H "Authorization: Bearer $PORCH_E2E_TOKEN" \
      -H 'content-type: application/json' --data-binary "@$file" \
      "$base/api/v1/tenants/$tenant/assets/$ASSET_KEY/activity")
    time=$(tail -n1 <<<"$answer")
    read -r a d n < <(head -n1 <<<"$answer" | python3 -c '
import json, sys
r = json.load(sys.stdin)
print(r["accepted"], r["duplicates"], len(json.load(open(sys.argv[1]))["events"]))' "$file")
    accepted=$((accepted + a))
    duplicates=$((duplicates + d))
    events=$((events + n))
    seconds=$(awk -v s="$seconds" -v t="$time" 'BEGIN { printf "%.6f", s + t }')
  done
  echo "$events $seconds $accepted $duplicates"
}

equipment_setup() {
  api_patch() { curl -fsS -X PATCH -H "Authorization: Bearer $PORCH_E2E_TOKEN" -H 'content-type: application/json' -d "$2" "$base/api/v1$1"; }
  api_put() { curl -fsS -X PUT -H "Authorization: Bearer $PORCH_E2E_TOKEN" -H 'content-type: application/json' -d "$2" "$base/api/v1$1"; }
  # The demo tenants are seeded after the plans migration: their plan is set here.
  api_patch "/tenants/$tenant" \
    '{"plan_apps": ["tickets", "support_form", "equipment", "activity", "reports", "documents"]}' >/dev/null
  api_patch "/tenants/$tenant/portals/$portal" \
    '{"apps": ["tickets", "support_form", "equipment", "reports"]}' >/dev/null
  api_put "/tenants/$tenant/assets/$ASSET_KEY" \
    "{\"name\": \"Bench excavator\", \"make\": \"Volvo\", \"model\": \"EC220E\", \"type\": \"Excavator\", \"customer_id\": \"$customer\"}" >/dev/null
  api "/tenants/$tenant/assets/$ASSET_KEY/shares" "{\"customer_id\": \"$customer\", \"from\": \"2025-01-01T00:00:00Z\"}" >/dev/null
  local dir
  dir=$(mktemp -d)
  mapfile -t batches < <(equipment_batches "$dir")
  read -r EVENTS FIRST_SECONDS accepted _ < <(equipment_ingest "${batches[@]}")
  read -r _ SECOND_SECONDS _ duplicates < <(equipment_ingest "${batches[@]}")
  rm -rf "$dir"
  if [ "$accepted" != "$EVENTS" ] || [ "$duplicates" != "$EVENTS" ]; then
    echo "ingest: $accepted accepted the first time, $duplicates duplicates the second, of $EVENTS" >&2; exit 1
  fi
  echo
  echo "ingest of a year of hourly activity: $EVENTS events in ${#batches[@]} batches of up to 1,000, one at a time"
  awk -v n="$EVENTS" -v s="$FIRST_SECONDS" -v b="${#batches[@]}" \
    'BEGIN { printf "  new events:        %.3f s, %.0f events/s, %.0f ms per batch\n", s, n / s, s * 1000 / b }'
  awk -v n="$EVENTS" -v s="$SECOND_SECONDS" -v b="${#batches[@]}" \
    'BEGIN { printf "  again (duplicates): %.3f s, %.0f events/s, %.0f ms per batch\n", s, n / s, s * 1000 / b }'
  equipment_plans
}

# The query plans of the report's statements for the bench asset over the year, as the
# portal builds them (crates/porch-core/examples/bench_sql.rs fleet), in D1 on this run's state. BENCH_SKIP_PLANS=1
# leaves them out (a build of the example, and a pause of the server).
equipment_plans() {
  [ -z "${BENCH_SKIP_PLANS:-}" ] || return 0
  local token_hash
  token_hash=$(printf '%s' "$session" | sha256sum | cut -d' ' -f1)
  echo
  echo "query plans of the report's statements on the year of activity (times: SQLite's own, whole ms):"
  pause_server
  cargo run -q -p porch-core --example bench_sql -- fleet "$token_hash" "$ASSET_KEY" "$YEAR_FROM" "$YEAR_TO" "$(date +%s%3N)" \
    | node scripts/lib/plans.mjs "$SERVER_DIR/state"
  launch_server >/dev/null
  base="http://127.0.0.1:$PORCH_E2E_PORT"
}

equipment_measure() {
  local report="/reports?asset=$ASSET_KEY&from=$YEAR_FROM&to=$YEAR_TO"
  # Each page must show what it is measured for.
  page() { curl -fsS -H "Host: acme.localhost" -H "Cookie: porch_session=$session" "$base$1"; }
  [ "$(page "/reports.csv?asset=$ASSET_KEY&from=$YEAR_FROM&to=$YEAR_TO&by=day" | wc -l)" -ge 366 ] \
    || { echo "the year's CSV does not have 365 days" >&2; exit 1; }
  page "/equipment/$ASSET_KEY" | grep -q "Bench excavator" || { echo "the asset page did not show the asset" >&2; exit 1; }
  page "/equipment" | grep -q "/equipment/$ASSET_KEY" || { echo "the fleet list did not show the asset" >&2; exit 1; }
  paired report_year_by_day "$report&by=day"
  paired report_year_by_week "$report&by=week"
  paired report_year_csv "/reports.csv?asset=$ASSET_KEY&from=$YEAR_FROM&to=$YEAR_TO&by=day"
  paired asset_page "/equipment/$ASSET_KEY"
  paired fleet_list "/equipment"
}

equipment_ratios() {
  echo "report, year by day / one-query D1 (paired):  $(pair report_year_by_day)x"
  echo "report, year by week / one-query D1 (paired): $(pair report_year_by_week)x"
  echo "report CSV, year / one-query D1 (paired):     $(pair report_year_csv)x"
  echo "asset page / one-query D1 (paired):           $(pair asset_page)x"
  echo "fleet list / one-query D1 (paired):           $(pair fleet_list)x"
}
