-- A hold whose payment is being confirmed at the provider is protected past expires_at, up to
-- payment_hold_until (bounded by expiry.lua's paymentSeconds from the hold's creation), so a slow
-- provider answer does not lose the seat under a paying buyer. Only the payment named in
-- payment_hold_id may confirm it in that window; the expiry job skips protected holds.
ALTER TABLE reservation.reservations
    ADD COLUMN payment_hold_until timestamptz,
    ADD COLUMN payment_hold_id    text;
