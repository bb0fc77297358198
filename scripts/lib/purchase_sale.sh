#!/usr/bin/env bash
# Sourced by scripts/bench-purchase.sh and scripts/chaos (after scripts/lib/bench_sale.sh, with
# API set): the accounts and the sale a purchase load needs, set up through the API.
#   purchase_sign_in EMAIL PASSWORD [ROLE]     signs up unless the account exists; prints a token
#   purchase_fleet_staff                       ADMIN and SELLER tokens of a fleet, seller approved
#   purchase_sale SELLER ADMIN OUT GA_UNITS    a 1,000-seat schedule (bench_sale) and a general-
#                                              admission schedule of GA_UNITS units, both on sale;
#                                              writes OUT/sale.env (SEAT_SCHEDULE, GA_SCHEDULE,
#                                              GA_GRADE, SEAT_PRODUCT, GA_PRODUCT) and OUT/seats.txt
#   purchase_wait_quiet PSQL... -- SECONDS     until the outbox is relayed, every delivery handled,
#                                              no payment is IN_PROGRESS/UNKNOWN, every approved
#                                              payment's saga finished and every confirmed
#                                              reservation has tickets (with Kafka the consumers'
#                                              progress is not in the database: this is how it
#                                              shows); false on the deadline

# With scripts/fleet's fleet.env and passwords.env sourced and API set: signs the fleet's admin
# and seller in, approves the seller (once), and sets ADMIN and SELLER to their tokens.
purchase_fleet_staff() {
    ADMIN="$(purchase_sign_in "$FLEET_ADMIN_EMAIL" "$FLEET_ADMIN_PASSWORD")"
    SELLER="$(purchase_sign_in seller@fleet.admit.test "$FLEET_SELLER_PASSWORD" seller)"
    bench_approve_seller "$ADMIN" "$SELLER" || return 1
    SELLER="$(purchase_sign_in seller@fleet.admit.test "$FLEET_SELLER_PASSWORD")" # the seller role now
}

purchase_sign_in() {
    bench_call "" POST /auth/signup "{\"email\": \"$1\", \"password\": \"$2\", \"name\": \"Load\"${3:+, \"role\": \"$3\"}}" \
        >/dev/null 2>&1 || true
    bench_call "" POST /auth/login "{\"email\": \"$1\", \"password\": \"$2\"}" | json_field '["accessToken"]'
}

purchase_sale() {
    local seller=$1 admin=$2 out=$3 units=$4 product seat_product
    mkdir -p "$out"
    bench_sale "$seller" "$admin" 1 "$out/seated.json" || return 1
    local seat_schedule
    seat_schedule=$(json_field '["schedules"][0]["scheduleId"]' <"$out/seated.json")
    seat_product=$(json_field '["productId"]' <"$out/seated.json")
    bench_call "" GET "/schedules/$seat_schedule/seats" |
        python3 -c 'import json, sys
for s in json.load(sys.stdin)["seats"]: print(s[0])' >"$out/seats.txt"
    product=$(bench_ga_product "$seller" "$admin" 1 "$units" "$out/ga.json") || return 1
    local ga_schedule ga_grade
    ga_schedule=$(json_field '["schedules"][0]["scheduleId"]' <"$out/ga.json")
    ga_grade=$(bench_call "$seller" GET "/products/$product" | json_field '["grades"][0]["gradeId"]')
    cat >"$out/sale.env" <<EOF
SEAT_PRODUCT=$seat_product
SEAT_SCHEDULE=$seat_schedule
GA_PRODUCT=$product
GA_SCHEDULE=$ga_schedule
GA_GRADE=$ga_grade
EOF
}

purchase_wait_quiet() {
    local psql=() seconds left
    while [[ $1 != -- ]]; do psql+=("$1"); shift; done
    seconds=$2
    local deadline=$((SECONDS + seconds))
    while :; do
        # The last count reads every confirmed reservation of the kept database (about 190 ms and
        # three parallel workers at 100,000): it runs only once the indexed counts are all 0, not
        # at every poll of a drain that is still competing with it for the cores.
        left=$("${psql[@]}" -c "WITH indexed AS (SELECT (SELECT count(*) FROM admit.event_outbox WHERE relayed_at IS NULL)
            + (SELECT count(*) FROM admit.event_deliveries)
            + (SELECT count(*) FROM payment.payments WHERE status IN ('IN_PROGRESS', 'UNKNOWN'))
            + (SELECT count(*) FROM payment.payments WHERE status = 'APPROVED' AND saga_completed_at IS NULL)
            + (SELECT count(*) FROM payment.refunds WHERE status = 'PENDING')
            + (SELECT count(*) FROM ticket.pending_voids) AS n)
            SELECT CASE WHEN n > 0 THEN n ELSE (SELECT count(*) FROM reservation.reservations r WHERE r.status = 'CONFIRMED'
               AND NOT EXISTS (SELECT 1 FROM ticket.tickets t WHERE t.reservation_id = r.id)) END FROM indexed" 2>/dev/null) || left=unknown
        [[ $left == 0 ]] && return 0
        ((SECONDS < deadline)) || { echo "still busy after ${seconds}s: $left" >&2; return 1; }
        sleep 0.2
    done
}
