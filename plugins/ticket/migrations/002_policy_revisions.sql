-- The policy revisions that decided the reservation a ticket was issued for (fees, expiry,
-- limits, ...: {"fees": "<revision>", ...}), copied from reservation.confirmed.
ALTER TABLE ticket.tickets ADD COLUMN policy_revisions jsonb NOT NULL DEFAULT '{}';
