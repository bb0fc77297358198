#include "host/policy/revision_schema.hpp"

namespace admit::policy {

std::vector<store::Migration> policy_migrations() {
    return {
        {1, "policy revisions", R"sql(
CREATE TABLE admit.policy_revisions (
    policy      text NOT NULL,
    revision    text NOT NULL,
    source      text NOT NULL,
    tests       text NOT NULL,
    author      text NOT NULL,
    comment     text NOT NULL DEFAULT '',
    parent      text,
    report      text NOT NULL,
    status      text NOT NULL CHECK (status IN ('accepted', 'pending', 'rejected')),
    decided_by  text,
    created_at  timestamptz NOT NULL DEFAULT now(),
    seq         bigserial NOT NULL UNIQUE,
    PRIMARY KEY (policy, revision)
);
CREATE INDEX policy_revisions_history ON admit.policy_revisions (policy, seq DESC);

CREATE TABLE admit.policy_live (
    policy     text PRIMARY KEY,
    revision   text NOT NULL,
    changed_by text NOT NULL,
    changed_at timestamptz NOT NULL DEFAULT now(),
    FOREIGN KEY (policy, revision) REFERENCES admit.policy_revisions (policy, revision)
);

CREATE TABLE admit.policy_hosts (
    host      text PRIMARY KEY,
    revisions text NOT NULL,
    seen_at   timestamptz NOT NULL DEFAULT now()
);
)sql"},
        {2, "policy decision log", R"sql(
CREATE TABLE admit.policy_decisions (
    id         bigserial PRIMARY KEY,
    policy     text NOT NULL,
    revision   text NOT NULL,
    input      jsonb NOT NULL,
    output     jsonb NOT NULL,
    fallback   boolean NOT NULL,
    trace_id   text NOT NULL DEFAULT '',
    host       text NOT NULL,
    decided_at timestamptz NOT NULL
);
CREATE INDEX policy_decisions_recent ON admit.policy_decisions (policy, id DESC);
CREATE INDEX policy_decisions_age ON admit.policy_decisions (decided_at);
)sql"},
        {3, "scope of a recorded decision", R"sql(
ALTER TABLE admit.policy_decisions ADD COLUMN scope text NOT NULL DEFAULT '';
)sql"},
    };
}

}  // namespace admit::policy
