-- stub_pay's own ledger: what the fake provider charged and refunded, and the behaviour tests
-- script per order.
CREATE TABLE stub_pay.checkouts (
    order_id text PRIMARY KEY,
    amount   bigint NOT NULL
);
CREATE TABLE stub_pay.charges (
    order_id    text PRIMARY KEY,
    payment_key text NOT NULL,
    amount      bigint NOT NULL,   -- charged (0 for a decline)
    balance     bigint NOT NULL,   -- charged minus refunded
    status      text NOT NULL CHECK (status IN ('APPROVED', 'PARTIALLY_CANCELLED', 'CANCELLED',
                                                'DECLINED')),
    charged_at  timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE stub_pay.refunds (
    id              bigserial PRIMARY KEY,
    order_id        text NOT NULL,
    amount          bigint NOT NULL CHECK (amount > 0),
    idempotency_key text NOT NULL UNIQUE,
    at              timestamptz NOT NULL DEFAULT now()
);
-- Test controls: confirm_mode APPROVE (default), DECLINE, UNKNOWN_CHARGED (charges, answers
-- UNKNOWN), UNKNOWN_NOT_CHARGED, WRONG_AMOUNT (charges 1000 more), UNAVAILABLE (service error),
-- CRASH_AFTER_CHARGE (commits the charge, then SIGKILLs admitd; consumed by that confirm);
-- cancel_mode CANCEL (default), REFUSE, UNKNOWN.
CREATE TABLE stub_pay.script (
    order_id     text PRIMARY KEY,
    confirm_mode text NOT NULL DEFAULT 'APPROVE',
    cancel_mode  text NOT NULL DEFAULT 'CANCEL'
);
