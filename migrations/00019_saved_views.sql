-- +goose Up
-- A user's saved incident list filters ("my open criticals"): a name and the list's query
-- string. Names are unique per user, whatever their case.
CREATE TABLE saved_views (
    id         uuid PRIMARY KEY,
    user_id    uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name       text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    query      text NOT NULL CHECK (length(query) <= 4000),
    created_at timestamptz NOT NULL
);
CREATE UNIQUE INDEX saved_views_user_name_key ON saved_views (user_id, lower(name));

-- The incident list sorts by title, severity and status too; these keep those orders from
-- sorting the whole table for a page.
CREATE INDEX issues_title_idx ON issues (lower(title), id);
CREATE INDEX issues_severity_rank_idx ON issues
    ((array_position(ARRAY['low', 'medium', 'high', 'critical']::text[], severity)), updated_at, id);
CREATE INDEX issues_status_rank_idx ON issues
    ((array_position(ARRAY['open', 'triaging', 'investigating', 'resolved', 'closed']::text[], status)), updated_at, id);

-- +goose Down
DROP INDEX issues_status_rank_idx;
DROP INDEX issues_severity_rank_idx;
DROP INDEX issues_title_idx;
DROP TABLE saved_views;
