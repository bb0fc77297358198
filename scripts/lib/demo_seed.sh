#!/usr/bin/env bash
# Demo data for the demo venue, created through the REST API (so it goes through the same checks
# as any seller's and admin's requests). Used by scripts/up; other venues never seed.
#
#   demo_seed.sh empty RUNDIR                 exit 0 when the venue's database has no account yet
#   demo_seed.sh admin RUNDIR ADMITD VENUE    create the demo admin (admitd admin create), with a
#                                             generated password kept in RUNDIR/demo/credentials.env
#   demo_seed.sh seed RUNDIR BASE_URL         wait for readiness, then: a seller and a buyer
#                                             account, a hall, a generated 1,000-seat stage, two
#                                             products on sale (the second behind the waiting room)
#   demo_seed.sh print RUNDIR APP_URL         print the app's URL and the demo accounts
#
# RUNDIR/servers.env (scripts/lib/servers.sh) gives ADMIT_DATABASE_URL. Passwords are random per
# run directory, stored with mode 600 in RUNDIR/demo/credentials.env and never committed.
set -euo pipefail

die() { echo "demo_seed.sh: $*" >&2; exit 1; }

cmd=${1:-}; rundir=${2:-}
[[ -n $cmd && -n $rundir ]] || { sed -n '2,14p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }
creds=$rundir/demo/credentials.env

random_password() { head -c 18 /dev/urandom | base64 | tr -d '/+=' | head -c 20; }

ensure_credentials() {
    mkdir -p "$rundir/demo"
    if [[ ! -f $creds ]]; then
        (umask 077; cat >"$creds" <<CREDS
DEMO_ADMIN_EMAIL=admin@demo.admit.test
DEMO_ADMIN_PASSWORD=$(random_password)
DEMO_SELLER_EMAIL=seller@demo.admit.test
DEMO_SELLER_PASSWORD=$(random_password)
DEMO_BUYER_EMAIL=buyer@demo.admit.test
DEMO_BUYER_PASSWORD=$(random_password)
CREDS
        )
    fi
    # shellcheck disable=SC1090
    source "$creds"
}

# psql against the venue's database (servers.env). A password in the URL goes to psql through
# PGPASSWORD, never on its command line.
db_count() {
    # shellcheck disable=SC1091
    source "$rundir/servers.env"
    local url=$ADMIT_DATABASE_URL password=""
    if [[ $url =~ ^(postgres(ql)?://[^:@/]+):([^@/]*)@(.*)$ ]]; then
        password=${BASH_REMATCH[3]}
        url="${BASH_REMATCH[1]}@${BASH_REMATCH[4]}"
    fi
    PGPASSWORD=$password psql "$url" -tAc "$1" 2>/dev/null || echo 0
}

api() {  # api METHOD PATH [TOKEN] [BODY] -> body on stdout; fails on a non-2xx status
    local method=$1 path=$2 token=${3:-} body=${4:-} out status
    local args=(-sS -X "$method" -H 'Content-Type: application/json' -w '\n%{http_code}')
    [[ -n $token ]] && args+=(-H "Authorization: Bearer $token")
    [[ -n $body ]] && args+=(-d "$body")
    out=$(curl "${args[@]}" "$base$path") || die "$method $path: no answer"
    status=${out##*$'\n'}
    out=${out%$'\n'*}
    [[ $status == 2* ]] || die "$method $path -> $status $out"
    printf '%s' "$out"
}

login() { api POST /api/v1/auth/login "" "{\"email\":\"$1\",\"password\":\"$2\"}" | jq -r .accessToken; }

seed() {
    ensure_credentials
    for _ in $(seq 1 120); do
        curl -sf "$base/readyz" >/dev/null 2>&1 && break
        sleep 0.5
    done
    curl -sf "$base/readyz" >/dev/null || die "admitd at $base is not ready"
    api POST /api/v1/auth/signup "" "{\"email\":\"$DEMO_SELLER_EMAIL\",\"password\":\"$DEMO_SELLER_PASSWORD\",\"name\":\"Demo Seller\",\"role\":\"seller\"}" >/dev/null
    api POST /api/v1/auth/signup "" "{\"email\":\"$DEMO_BUYER_EMAIL\",\"password\":\"$DEMO_BUYER_PASSWORD\",\"name\":\"Demo Buyer\"}" >/dev/null
    local seller admin hall stage seller_id
    seller=$(login "$DEMO_SELLER_EMAIL" "$DEMO_SELLER_PASSWORD")
    admin=$(login "$DEMO_ADMIN_EMAIL" "$DEMO_ADMIN_PASSWORD")
    # A self-registered seller sells once an admin approved it; its next login carries the role.
    seller_id=$(api GET /api/v1/auth/me "$seller" | jq -r .id)
    api POST "/api/v1/admin/sellers/$seller_id/approve" "$admin" >/dev/null
    seller=$(login "$DEMO_SELLER_EMAIL" "$DEMO_SELLER_PASSWORD")
    hall=$(api POST /api/v1/halls "$seller" '{"name":"Admit Arts Center","address":"Seoul"}' | jq -r .hallId)
    # Two sections of 10 rows x 50 seats: 1,000 seats with VIP, R and S grades.
    stage=$(api POST "/api/v1/halls/$hall/stages" "$seller" '{"name":"Main Stage","layout":{"sections":[
      {"name":"A","rows":10,"seatsPerRow":50,"grade":"R","gradeBlocks":[{"grade":"VIP","fromRow":1,"toRow":3}]},
      {"name":"B","rows":10,"seatsPerRow":50,"grade":"S","origin":{"x":0,"y":15}}]}}' | jq -r .stageId)
    local sale_start sale_end show_at
    sale_start=$(date -u -d '-1 hour' +%Y-%m-%dT%H:%M:%SZ)
    sale_end=$(date -u -d '+30 days' +%Y-%m-%dT%H:%M:%SZ)
    show_at=$(date -u -d '+14 days' +%Y-%m-%dT10:00:00Z)
    local title queued product
    for spec in "Swan Lake|false" "The Nutcracker (waiting room)|true"; do
        title=${spec%|*}; queued=${spec#*|}
        product=$(api POST /api/v1/products "$seller" "{\"title\":\"$title\",\"category\":\"BALLET\",
          \"description\":\"Admit demo performance\",\"stageId\":\"$stage\",
          \"saleStartsAt\":\"$sale_start\",\"saleEndsAt\":\"$sale_end\",
          \"grades\":[{\"name\":\"VIP\",\"price\":{\"amount\":150000,\"currency\":\"KRW\"}},
                      {\"name\":\"R\",\"price\":{\"amount\":100000,\"currency\":\"KRW\"}},
                      {\"name\":\"S\",\"price\":{\"amount\":70000,\"currency\":\"KRW\"}}],
          \"schedules\":[{\"startsAt\":\"$show_at\",\"queueRequired\":$queued}]}" | jq -r .productId)
        api POST "/api/v1/products/$product/submit" "$seller" >/dev/null
        api POST "/api/v1/products/$product/approve" "$admin" >/dev/null
        for _ in $(seq 1 60); do
            [[ $(api GET "/api/v1/products/$product" | jq -r .status) == ON_SALE ]] && break
            sleep 0.5
        done
        echo "demo: \"$title\" is $(api GET "/api/v1/products/$product" | jq -r .status)"
    done
}

case $cmd in
    empty)
        [[ $(db_count "SELECT count(*) FROM auth.users") == 0 ]]
        ;;
    admin)
        ensure_credentials
        ADMIT_DEMO_ADMIN_PASSWORD=$DEMO_ADMIN_PASSWORD "$3" --config "$4" admin create \
            --email "$DEMO_ADMIN_EMAIL" --password-env ADMIT_DEMO_ADMIN_PASSWORD >/dev/null
        ;;
    seed)
        base=${3:?BASE_URL}
        seed
        ;;
    print)
        if [[ ! -f $creds ]]; then  # a database that had accounts before its first demo start
            echo "The web app: ${3:?APP_URL} (no demo accounts: this database was not seeded)"
            exit 0
        fi
        # shellcheck disable=SC1090
        source "$creds"
        cat <<MSG
The web app: ${3:?APP_URL}
  buyer   $DEMO_BUYER_EMAIL   password $DEMO_BUYER_PASSWORD
  seller  $DEMO_SELLER_EMAIL  (admin: $DEMO_ADMIN_EMAIL; passwords in $creds)
MSG
        ;;
    *) die "unknown command $cmd" ;;
esac
