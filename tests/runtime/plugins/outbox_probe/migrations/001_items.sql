CREATE TABLE outbox_probe.items (id TEXT PRIMARY KEY);
CREATE TABLE outbox_probe.handled (item_id TEXT PRIMARY KEY, count INTEGER NOT NULL);
