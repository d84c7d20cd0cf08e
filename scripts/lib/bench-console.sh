# shellcheck shell=bash
# Sourced by scripts/bench (uses its `run`, `pair`, `$base`): the console's first operator made
# through its set-up page, its second factor set up with the code computed here as an
# authenticator app would (RFC 6238), then the operator's tenants page, a tenant's customers
# list and its Staff tab measured signed in, each paired with the one-query D1 route. console_measure: the runs;
# console_ratio: the lines.

console_measure() {
  local jar csrf key code session
  jar=$(mktemp)
  page() { curl -fsS -c "$jar" -b "$jar" -H "Host: console.localhost" "$@"; }
  page "$base/set-up" >/dev/null
  csrf=$(awk '$6=="porch_console_csrf" {print $7}' "$jar")
  page -o /dev/null --data-urlencode "csrf=$csrf" --data-urlencode "token=$PORCH_E2E_TOKEN" \
    --data-urlencode "name=Bench Operator" --data-urlencode "email=bench-operator@porch.example" \
    --data-urlencode "password=bench operator passphrase" "$base/set-up"
  key=$(page "$base/second-factor" | python3 -c 'import re, sys; print(re.search(r"<code class=\"key\">([^<]*)</code>", sys.stdin.read()).group(1))')
  code=$(python3 -c '
import base64, hashlib, hmac, struct, sys, time
key = base64.b32decode(sys.argv[1].replace(" ", "") + "=" * (-len(sys.argv[1].replace(" ", "")) % 8))
mac = hmac.new(key, struct.pack(">Q", int(time.time()) // 30), hashlib.sha1).digest()
offset = mac[-1] & 15
print("%06d" % ((struct.unpack(">I", mac[offset:offset + 4])[0] & 0x7fffffff) % 1000000))' "$key")
  page -o /dev/null --data-urlencode "csrf=$csrf" --data-urlencode "code=$code" "$base/second-factor"
  session=$(awk '$6=="porch_console" {print $7}' "$jar")
  if ! curl -fsS -H "Host: console.localhost" -H "Cookie: porch_console=$session" "$base/" | grep -q "<h1>Tenants</h1>"; then
    echo "the console's tenants page did not show for the bench operator" >&2; exit 1
  fi
  run "health_db/console_tenants" 127.0.0.1 /healthz/db
  run console_tenants console.localhost / "porch_console=$session"
  # The issue's page: a tenant's customers list (the demo Acme tenant's, `$tenant`).
  if ! curl -fsS -H "Host: console.localhost" -H "Cookie: porch_console=$session" "$base/tenants/$tenant" | grep -q 'aria-current="page">Customers</a>'; then
    echo "the console's customers page did not show for the bench operator" >&2; exit 1
  fi
  run "health_db/console_customers" 127.0.0.1 /healthz/db
  run console_customers console.localhost "/tenants/$tenant" "porch_console=$session"
  # The Staff tab: the tenant, its staff and its invitations, read with the session.
  if ! curl -fsS -H "Host: console.localhost" -H "Cookie: porch_console=$session" "$base/tenants/$tenant/staff" | grep -q "Invite a person"; then
    echo "the console's staff page did not show for the bench operator" >&2; exit 1
  fi
  run "health_db/console_staff" 127.0.0.1 /healthz/db
  run console_staff console.localhost "/tenants/$tenant/staff" "porch_console=$session"
}

console_ratio() {
  echo "console tenants page / one-query D1 (paired):   $(pair console_tenants)x"
  echo "console customers list / one-query D1 (paired): $(pair console_customers)x   (target >= 0.7x)"
  echo "console staff page / one-query D1 (paired):     $(pair console_staff)x"
}
