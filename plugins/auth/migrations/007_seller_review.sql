-- Sellers are reviewed (issue 13, API6): a self-registered seller starts PENDING and its access
-- tokens carry the role customer until an admin approves it. NULL for every other role. Sellers
-- from before the review keep selling.
ALTER TABLE auth.users ADD COLUMN seller_status TEXT
    CHECK (seller_status IN ('PENDING', 'APPROVED', 'REJECTED'));
UPDATE auth.users SET seller_status = 'APPROVED' WHERE role = 'seller';
CREATE INDEX users_seller_review ON auth.users (seller_status, created_at, id)
    WHERE seller_status IS NOT NULL;
