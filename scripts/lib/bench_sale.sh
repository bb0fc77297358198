#!/usr/bin/env bash
# Sourced by benchmark scripts: sets up an ON_SALE product through the API with curl.
#   API                                       base URL, e.g. http://127.0.0.1:PORT/api/v1 (set by the caller)
#   bench_call TOKEN METHOD PATH [BODY]       prints the response body; fails on a non-2xx answer
#                                             (TOKEN empty: no Authorization header)
#   json_field EXPR                           a Python subscript of the JSON on stdin, e.g. '["id"]'
#   iso_time SECONDS                          RFC 3339 of unix seconds
#   bench_approve_seller ADMIN SELLER         approves the seller whose access token is SELLER
#                                             unless it is approved already (a self-registered
#                                             seller's tokens carry the role customer until then):
#                                             log the seller in again afterwards
#   bench_sale SELLER ADMIN SCHEDULES OUT     a hall with a generated 1,000-seat stage (10 rows x 50
#                                             in two sections, VIP front rows; BENCH_SALE_ROWS rows
#                                             per section instead of 10) and a product with
#                                             SCHEDULES performances on sale since a minute ago;
#                                             the admin's approval answer goes to OUT; returns once
#                                             the sale job has put it ON_SALE (10 s at most)
#   bench_ga_product SELLER ADMIN SCHEDULES UNITS OUT
#                                             a general-admission product (a one-seat stage names
#                                             the venue) with SCHEDULES performances of UNITS
#                                             units each, on sale since a minute ago; the admin's
#                                             approval answer goes to OUT; prints the product id
#                                             once the sale job has put it ON_SALE (15 s at most)

bench_call() {
    curl -sS --fail-with-body -X "$2" ${1:+-H "Authorization: Bearer $1"} -H 'Content-Type: application/json' \
        ${4:+--data "$4"} "$API$3"
}

json_field() { python3 -c 'import json,sys; d=json.load(sys.stdin); print(eval("d"+sys.argv[1]))' "$1"; }

iso_time() { date -u -d "@$1" +%Y-%m-%dT%H:%M:%SZ; } # RFC 3339 of unix seconds

bench_approve_seller() {
    local admin=$1 seller=$2 me id
    me="$(bench_call "$seller" GET /auth/me)" || return 1
    [[ "$(printf '%s' "$me" | json_field '.get("sellerStatus", "")')" == APPROVED ]] && return 0
    id="$(printf '%s' "$me" | json_field '["id"]')" || return 1
    bench_call "$admin" POST "/admin/sellers/$id/approve" >/dev/null
}

bench_sale() {
    local seller=$1 admin=$2 count=$3 out=$4 now hall stage product schedules="" i
    local rows=${BENCH_SALE_ROWS:-10}
    now="$(date +%s)"
    hall="$(bench_call "$seller" POST /halls "{\"name\": \"Bench Hall $now\"}" | json_field '["hallId"]')"
    stage="$(bench_call "$seller" POST "/halls/$hall/stages" '{"name": "Main", "layout": {"sections": [
        {"name": "A", "rows": '"$rows"', "seatsPerRow": 50, "grade": "R", "gradeBlocks": [{"grade": "VIP", "fromRow": 1, "toRow": 3}]},
        {"name": "B", "rows": '"$rows"', "seatsPerRow": 50, "grade": "S", "origin": {"x": 0, "y": '"$((rows + 5))"'}}]}}' |
        json_field '["stageId"]')"
    for ((i = 0; i < count; i++)); do
        schedules+="${schedules:+, }{\"startsAt\": \"$(iso_time $((now + (2 + i) * 86400)))\"}"
    done
    product="$(bench_call "$seller" POST /products "{\"title\": \"Bench Night $now\", \"category\": \"CONCERT\",
        \"stageId\": \"$stage\", \"saleStartsAt\": \"$(iso_time $((now - 60)))\", \"saleEndsAt\": \"$(iso_time $((now + 86400)))\",
        \"grades\": [{\"name\": \"VIP\", \"price\": {\"amount\": 150000, \"currency\": \"KRW\"}},
                     {\"name\": \"R\", \"price\": {\"amount\": 100000, \"currency\": \"KRW\"}},
                     {\"name\": \"S\", \"price\": {\"amount\": 70000, \"currency\": \"KRW\"}}],
        \"schedules\": [$schedules]}" | json_field '["productId"]')"
    bench_call "$seller" POST "/products/$product/submit" >/dev/null
    bench_call "$admin" POST "/products/$product/approve" >"$out"
    for _ in $(seq 1 100); do # the sale job opens the sale within about a second
        [[ "$(bench_call "$seller" GET "/products/$product" | json_field '["status"]')" == ON_SALE ]] && return 0
        sleep 0.1
    done
    echo "bench_sale: product $product never went ON_SALE" >&2
    return 1
}

bench_ga_product() {
    local seller=$1 admin=$2 count=$3 units=$4 out=$5 now hall stage product schedules="" i
    now=$(date +%s)
    hall=$(bench_call "$seller" POST /halls "{\"name\": \"GA Hall $now\"}" | json_field '["hallId"]') || return 1
    stage=$(bench_call "$seller" POST "/halls/$hall/stages" '{"name": "Floor", "layout": {"sections": [
        {"name": "F", "rows": 1, "seatsPerRow": 1, "grade": "GA"}]}}' | json_field '["stageId"]') || return 1
    for ((i = 0; i < count; i++)); do
        schedules+="${schedules:+, }{\"startsAt\": \"$(iso_time $((now + (2 + i) * 86400)))\"}"
    done
    product=$(bench_call "$seller" POST /products "{\"title\": \"GA Night $now\", \"category\": \"CONCERT\",
        \"stageId\": \"$stage\", \"seating\": \"GENERAL_ADMISSION\",
        \"saleStartsAt\": \"$(iso_time $((now - 60)))\", \"saleEndsAt\": \"$(iso_time $((now + 86400)))\",
        \"grades\": [{\"name\": \"GA\", \"price\": {\"amount\": 55000, \"currency\": \"KRW\"}, \"quantity\": $units}],
        \"schedules\": [$schedules]}" | json_field '["productId"]') || return 1
    bench_call "$seller" POST "/products/$product/submit" >/dev/null || return 1
    bench_call "$admin" POST "/products/$product/approve" >"$out" || return 1
    for _ in $(seq 1 150); do # the sale job opens the sale within about a second
        if [[ "$(bench_call "$seller" GET "/products/$product" | json_field '["status"]')" == ON_SALE ]]; then
            echo "$product"
            return 0
        fi
        sleep 0.1
    done
    echo "bench_sale: product $product never went ON_SALE" >&2
    return 1
}
