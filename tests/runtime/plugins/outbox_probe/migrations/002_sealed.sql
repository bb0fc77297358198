CREATE TABLE outbox_probe.sealed (id TEXT PRIMARY KEY);
