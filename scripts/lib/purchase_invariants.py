#!/usr/bin/env python3
"""Purchase invariants, checked from PostgreSQL and the payment simulator's ledger.

    purchase_invariants.py --pg-port P --db DB --sim-port S [--schedules sch_a,sch_b]
                           [--acks FILE ...] [--grace-seconds 5] [--sim-exclusive]

Used by scripts/bench-purchase.sh and the fault campaign (scripts/chaos) once the platform is
quiet (outbox drained, no confirmation in flight). Each invariant prints one line with its count
of violations and up to five examples; the exit status is 1 when any count is not zero, 2 when a
source cannot be read. --schedules limits the check to those schedules (a database that outlives
runs); --sim-exclusive says the simulator served only this scope, so money it holds for an order
the database does not know is a violation too.

Invariants (DESIGN "No oversell, ever"; issues 17 and 20):
  seat_sold_twice           a seat or GA unit in two live reservations, or two valid tickets
  over_capacity             more claims or valid tickets on a schedule than it has seats/units
  approved_without_tickets  an APPROVED payment whose reservation has no valid ticket
  ticket_without_payment    a valid ticket whose reservation has no APPROVED payment
  refunded_after_checkin    a ticket used at the gate whose reservation was then cancelled and
                            refunded
  ticket_count              a CONFIRMED reservation whose valid tickets differ from its quantity
  money_per_order           per order, the simulator's charged - refunded differs from what the
                            payment row says we kept (APPROVED: amount; PARTIALLY_REFUNDED:
                            amount - refunded; REFUNDED/FAILED: 0)
  money_total               charged - refunded over the scope differs from the value of valid
                            tickets plus what cancelled orders kept (total - refund)
  acknowledged_lost         a confirm answered 2xx APPROVED (--acks) whose reservation is neither
                            CONFIRMED with tickets nor cancelled with a refund
  unresolved                a payment still IN_PROGRESS/UNKNOWN, or a reservation PENDING_PAYMENT
                            past its window (expiresAt and any payment protection) by the grace
"""
import argparse
import json
import subprocess
import sys
import urllib.request


def psql(args, sql):
    out = subprocess.run(
        ["psql", "-h", "127.0.0.1", "-p", str(args.pg_port), "-U", args.pg_user, "-d", args.db,
         "-X", "-q", "-t", "-A", "-F", "\t", "-v", "ON_ERROR_STOP=1", "-c", sql],
        capture_output=True, text=True)
    if out.returncode != 0:
        print(f"purchase_invariants: psql failed: {out.stderr.strip()}", file=sys.stderr)
        sys.exit(2)
    return [line.split("\t") for line in out.stdout.splitlines() if line]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--pg-port", required=True)
    parser.add_argument("--pg-user", default="postgres")
    parser.add_argument("--db", required=True)
    parser.add_argument("--sim-port", required=True)
    parser.add_argument("--schedules", default="")
    parser.add_argument("--acks", action="append", default=[])
    parser.add_argument("--grace-seconds", type=float, default=5)
    parser.add_argument("--sim-exclusive", action="store_true")
    args = parser.parse_args()

    schedules = [s for s in args.schedules.split(",") if s]
    for s in schedules:
        if not all(c.isalnum() or c in "_-" for c in s):
            print(f"purchase_invariants: bad schedule id {s!r}", file=sys.stderr)
            return 2
    scope = ("AND r.schedule_id IN (" + ",".join(f"'{s}'" for s in schedules) + ")") if schedules else ""
    tscope = scope.replace("r.schedule_id", "t.schedule_id")
    valid = "t.status IN ('ISSUED', 'USED')"
    violations = {}

    def check(name, rows):
        violations[name] = rows
        examples = "; ".join(" ".join(r) for r in rows[:5])
        print(f"  {name}: {len(rows)}" + (f"  e.g. {examples}" if rows else ""))

    check("seat_sold_twice", psql(args, f"""
        SELECT r.schedule_id, c FROM (SELECT r.schedule_id, unnest(r.claim_ids) AS c
          FROM reservation.reservations r WHERE r.status IN ('PENDING_PAYMENT', 'CONFIRMED') {scope}) r
        GROUP BY 1, 2 HAVING count(*) > 1
        UNION ALL
        SELECT t.schedule_id, t.seat_id FROM ticket.tickets t
        WHERE {valid} AND t.seat_id IS NOT NULL {tscope} GROUP BY 1, 2 HAVING count(*) > 1"""))
    check("over_capacity", psql(args, f"""
        SELECT s.schedule_id, s.sold::text, s.capacity::text FROM (
          SELECT t.schedule_id, count(*) AS sold,
                 (SELECT sum(g.total) FROM product.schedule_grades g WHERE g.schedule_id = t.schedule_id) AS capacity
          FROM ticket.tickets t WHERE {valid} {tscope} GROUP BY t.schedule_id) s
        WHERE s.capacity IS NOT NULL AND s.sold > s.capacity"""))
    # A buyer's cancellation after confirmation keeps the payment APPROVED when refunds.lua
    # refunds nothing (the refund column says what was decided); anything else approved must
    # have its tickets.
    check("approved_without_tickets", psql(args, f"""
        SELECT p.id, p.reservation_id, r.status FROM payment.payments p
        JOIN reservation.reservations r ON r.id = p.reservation_id
        WHERE p.status = 'APPROVED' {scope}
          AND NOT (r.status = 'CANCELLED' AND r.refund IS NOT NULL)
          AND NOT (r.status = 'CONFIRMED' AND EXISTS (SELECT 1 FROM ticket.tickets t
                   WHERE t.reservation_id = p.reservation_id AND {valid}))"""))
    # A ticket used at the gate and then refunded by the buyer's cancellation is reported on its
    # own line: the reservation plugin lets a buyer cancel after check-in (refunds.lua decides
    # the share) and the ticket plugin cancels only ISSUED tickets.
    check("ticket_without_payment", psql(args, f"""
        SELECT t.id, t.reservation_id FROM ticket.tickets t
        WHERE {valid} {tscope} AND NOT (t.status = 'USED' AND EXISTS (SELECT 1 FROM reservation.reservations r
              WHERE r.id = t.reservation_id AND r.status = 'CANCELLED'))
          AND NOT EXISTS (SELECT 1 FROM payment.payments p WHERE p.reservation_id = t.reservation_id
                          AND p.status = 'APPROVED')"""))
    check("refunded_after_checkin", psql(args, f"""
        SELECT t.id, t.reservation_id, t.used_at::text FROM ticket.tickets t
        JOIN reservation.reservations r ON r.id = t.reservation_id
        WHERE t.status = 'USED' AND r.status = 'CANCELLED' {tscope}"""))
    check("ticket_count", psql(args, f"""
        SELECT r.id, r.quantity::text, count(t.id)::text FROM reservation.reservations r
        LEFT JOIN ticket.tickets t ON t.reservation_id = r.id AND {valid}
        WHERE r.status = 'CONFIRMED' {scope} GROUP BY r.id, r.quantity HAVING count(t.id) <> r.quantity"""))

    payments = psql(args, f"""
        SELECT p.order_id, p.status, p.amount::text, p.refunded_amount::text, p.id
        FROM payment.payments p JOIN reservation.reservations r ON r.id = p.reservation_id
        WHERE true {scope}""")
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{args.sim_port}/sim/ledger", timeout=60) as answer:
            ledger = json.load(answer)
    except OSError as error:
        print(f"purchase_invariants: cannot read the simulator's ledger: {error}", file=sys.stderr)
        return 2
    net = {}
    for entry in ledger["payments"]:
        net[entry["orderId"]] = net.get(entry["orderId"], 0) + entry["charged"] - entry["refunded"]
    ours = {row[0] for row in payments}
    bad_money = []
    for order, status, amount, refunded, pid in payments:
        kept = {"APPROVED": int(amount), "PARTIALLY_REFUNDED": int(amount) - int(refunded)}.get(status, 0)
        if status in ("IN_PROGRESS", "UNKNOWN", "READY"):
            continue  # counted as unresolved below (READY: never paid, the simulator has nothing)
        if net.get(order, 0) != kept:
            bad_money.append([pid, order, status, f"sim={net.get(order, 0)}", f"ours={kept}"])
    if args.sim_exclusive:
        for order, value in net.items():
            if order not in ours and value != 0:
                bad_money.append(["-", order, "unknown-order", f"sim={value}", "ours=0"])
    check("money_per_order", bad_money)

    held = sum(v for o, v in net.items() if o in ours or args.sim_exclusive)
    expected = psql(args, f"""
        SELECT coalesce((SELECT sum(r.total) FROM reservation.reservations r
                         WHERE r.status = 'CONFIRMED' {scope}), 0)
             + coalesce((SELECT sum(r.total - r.refund) FROM reservation.reservations r
                         WHERE r.status = 'CANCELLED' AND r.refund IS NOT NULL AND EXISTS (
                           SELECT 1 FROM payment.payments p WHERE p.reservation_id = r.id
                           AND p.status IN ('APPROVED', 'PARTIALLY_REFUNDED', 'REFUNDED')) {scope}), 0)""")[0][0]
    unresolved_money = psql(args, f"""
        SELECT count(*) FROM payment.payments p JOIN reservation.reservations r ON r.id = p.reservation_id
        WHERE p.status IN ('IN_PROGRESS', 'UNKNOWN') {scope}""")[0][0]
    print(f"  money: the simulator holds {held}; valid tickets and kept cancellation shares are worth {expected}")
    check("money_total", [] if int(expected) == held or unresolved_money != "0"
          else [[f"sim={held}", f"ours={expected}"]])

    acknowledged = {}
    for path in args.acks:
        with open(path) as acks:
            for line in acks:
                parts = line.split()
                if len(parts) == 3 and parts[2] == "APPROVED":
                    acknowledged[parts[0]] = parts[1]
    lost = []
    if acknowledged:
        rows = psql(args, """SELECT r.id, r.status,
            (SELECT count(*) FROM ticket.tickets t WHERE t.reservation_id = r.id AND t.status IN ('ISSUED', 'USED'))::text,
            coalesce(r.refund, 0)::text FROM reservation.reservations r WHERE r.status IN ('CONFIRMED', 'CANCELLED')""")
        state = {row[0]: row[1:] for row in rows}
        for reservation in acknowledged:
            status, tickets, refund = state.get(reservation, ["missing", "0", "0"])
            if not ((status == "CONFIRMED" and tickets != "0") or status == "CANCELLED"):
                lost.append([reservation, status, f"tickets={tickets}"])
    print(f"  confirms acknowledged APPROVED: {len(acknowledged)}")
    check("acknowledged_lost", lost)

    grace = f"interval '{args.grace_seconds} seconds'"
    check("unresolved", psql(args, f"""
        SELECT p.id, p.status FROM payment.payments p JOIN reservation.reservations r ON r.id = p.reservation_id
        WHERE p.status IN ('IN_PROGRESS', 'UNKNOWN') {scope}
        UNION ALL
        SELECT r.id, r.status FROM reservation.reservations r
        WHERE r.status = 'PENDING_PAYMENT' AND r.expires_at < now() - {grace}
          AND coalesce(r.payment_hold_until, r.expires_at) < now() - {grace} {scope}"""))

    failed = [name for name, rows in violations.items() if rows]
    if failed:
        print("INVARIANT VIOLATED: " + ", ".join(failed))
        explain(args, violations)
        return 1
    print("invariants: all hold")
    return 0


def explain(args, violations):
    """For reservations named by a ticket violation: their tickets and every event that names
    them, in order, so a failing run says what happened without its database."""
    ids = []
    for name in ("approved_without_tickets", "ticket_count", "acknowledged_lost", "ticket_without_payment"):
        for row in violations.get(name, []):
            ids += [v for v in row if v.startswith("rsv_")]
    for rid in sorted(set(ids))[:5]:
        print(f"  history of {rid}:")
        for row in psql(args, f"""SELECT 'reservation', status, coalesce(status_reason, ''), updated_at::text
                FROM reservation.reservations WHERE id = '{rid}'
            UNION ALL SELECT 'ticket ' || id, status, coalesce(status_reason, ''), updated_at::text
                FROM ticket.tickets WHERE reservation_id = '{rid}'
            UNION ALL SELECT 'payment ' || id, status, '', updated_at::text
                FROM payment.payments WHERE reservation_id = '{rid}'"""):
            print("    " + " ".join(row))
        for row in psql(args, f"""SELECT id::text, topic, published_at::text, coalesce(relayed_at::text, '-'),
                left(payload, 160) FROM admit.event_outbox
                WHERE payload LIKE '%{rid}%' ORDER BY id"""):
            print("    event " + " ".join(row))


if __name__ == "__main__":
    sys.exit(main())
