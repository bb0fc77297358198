-- A schedule may require the waiting room (queue plugin): holds then need an entry token.
ALTER TABLE product.schedules ADD COLUMN IF NOT EXISTS queue_required BOOLEAN NOT NULL DEFAULT false;
