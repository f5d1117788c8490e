-- +goose Up
-- Documents generated from incidents: an RCA and a blameless post-mortem. An incident has at most
-- one document of each kind; generating it again, saving and restoring each add a version, and
-- every version stays readable. Exported PDFs live in the object store at
-- exports/{issue_id}/{document_id}/v{version}.pdf.
CREATE TABLE documents (
    id              uuid PRIMARY KEY,
    issue_id        uuid NOT NULL REFERENCES issues (id) ON DELETE CASCADE,
    kind            text NOT NULL CHECK (kind IN ('rca', 'postmortem')),
    title           text NOT NULL,
    current_version integer NOT NULL CHECK (current_version >= 1),
    created_by      uuid REFERENCES users (id) ON DELETE SET NULL,
    created_at      timestamptz NOT NULL,
    updated_at      timestamptz NOT NULL,
    CONSTRAINT documents_issue_kind_key UNIQUE (issue_id, kind)
);

CREATE TABLE document_versions (
    document_id   uuid NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
    version       integer NOT NULL CHECK (version >= 1),
    content_md    text NOT NULL CHECK (octet_length(content_md) <= 1000000),
    author_id     uuid REFERENCES users (id) ON DELETE SET NULL,
    restored_from integer,
    created_at    timestamptz NOT NULL,
    PRIMARY KEY (document_id, version)
);

-- Action items decided on in an incident's review; the documents list them.
CREATE TABLE action_items (
    id         uuid PRIMARY KEY,
    issue_id   uuid NOT NULL REFERENCES issues (id) ON DELETE CASCADE,
    action     text NOT NULL CHECK (length(action) BETWEEN 1 AND 2000),
    owner_id   uuid REFERENCES users (id) ON DELETE SET NULL,
    due_date   date,
    priority   text NOT NULL CHECK (priority IN ('P0', 'P1', 'P2', 'P3')),
    status     text NOT NULL CHECK (status IN ('open', 'in_progress', 'done')),
    created_by uuid REFERENCES users (id) ON DELETE SET NULL,
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL
);
CREATE INDEX action_items_issue_idx ON action_items (issue_id, priority, created_at);

-- +goose Down
DROP TABLE action_items;
DROP TABLE document_versions;
DROP TABLE documents;
