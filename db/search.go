package db

import (
	"context"
	"fmt"
	"strings"
	"unicode"

	"github.com/jackc/pgx/v5"

	"tftsr/domain"
)

// headlineOptions configures ts_headline: matched words between the domain's snippet markers,
// at most two fragments of about 10 to 30 words.
const headlineOptions = `StartSel=` + domain.SnippetStart + `, StopSel=` + domain.SnippetStop +
	`, MaxFragments=2, MaxWords=30, MinWords=10, FragmentDelimiter=" … "`

// SearchIssues returns a page of incidents matching a web-search style query (words, "quoted
// phrases", or, -word), best match first, each with a snippet of its text between the domain's
// snippet markers, and the number of matches. Any input is accepted: text that is not valid
// UTF-8 is cleaned, long queries are cut, and a query with no searchable words (empty,
// punctuation, stop words only) finds nothing.
//
// When more than searchTier incidents match, the most recently updated searchTier are ranked
// first, then the next searchTier, and so on; the total and the pages stop at MaxSearchTotal.
func (s *IssueService) SearchIssues(ctx context.Context, query string, page, perPage int) ([]*domain.IssueSummary, int, error) {
	if err := domain.Require(ctx, domain.RoleViewer); err != nil {
		return nil, 0, err
	}
	q := searchQuery(query)
	if q == "" {
		return []*domain.IssueSummary{}, 0, nil
	}
	tx, err := s.db.BeginTx(ctx)
	if err != nil {
		return nil, 0, err
	}
	defer tx.Rollback(ctx)
	if n, ok := domain.ParseIssueRef(q); ok {
		// An incident's human id finds that incident.
		rows, err := tx.Query(ctx, summarySelect+`, '', 1 FROM issues i LEFT JOIN users a ON a.id = i.assignee_id
			WHERE i.number = $1`, n)
		if err != nil {
			return nil, 0, fmt.Errorf("search incidents: %w", err)
		}
		items, err := collect(rows, "search incidents", func(r pgx.Row) (*domain.IssueSummary, error) {
			var snippet string
			var total int
			return scanSummary(r, &snippet, &total)
		})
		if err != nil || len(items) > 0 {
			return items, len(items), err
		}
	}
	return searchIssues(ctx, tx, q, pageOf(page, perPage))
}

// searchQuery returns query made safe to hand to websearch_to_tsquery: valid UTF-8 without
// control characters (which also keeps the snippet markers unforgeable), at most
// domain.MaxSearchQueryLen bytes, trimmed.
func searchQuery(query string) string {
	query = strings.ToValidUTF8(query, " ")
	if len(query) > domain.MaxSearchQueryLen {
		// Cut at a space when there is one, so that no word is cut in half.
		query = cutBytes(query, domain.MaxSearchQueryLen+1)
		if i := strings.LastIndexFunc(query, unicode.IsSpace); i > 0 {
			query = query[:i]
		} else {
			query = cutBytes(query, domain.MaxSearchQueryLen)
		}
	}
	query = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return ' '
		}
		return r
	}, query)
	return strings.TrimSpace(query)
}

// Search bounds. Ranking reads every candidate's tsvector from the table, so a word that half
// of all incidents contain would cost far more than a rare one. SearchIssues therefore ranks in
// tiers: the searchTier most recently updated matches first, best match first, then the next
// searchTier, and so on; and it counts matches only up to MaxSearchTotal, the last result it
// will page to. A query with fewer matches than a tier is ranked as a whole.
const searchTier = 500

// MaxSearchTotal is the most matches SearchIssues counts and pages through.
const MaxSearchTotal = domain.MaxSearchTotal

// searchIssues runs a search. The candidates are picked and ranked first; only the page's rows
// are joined and headlined, since ts_headline reparses the whole text.
//
// The statement is sent unprepared (QueryExecModeExec) so that Postgres plans it for the actual
// query every time: the best plan for a word in most incidents (walk the updated_at index) is
// the worst for a rare one (the GIN index), and a cached generic plan would pick one for all.
func searchIssues(ctx context.Context, tx *Tx, q string, pg paging) ([]*domain.IssueSummary, int, error) {
	off := pg.offset()
	items, total := []*domain.IssueSummary{}, 0
	if off < MaxSearchTotal {
		end := min(off+pg.perPage, MaxSearchTotal)
		candidates := min((end+searchTier-1)/searchTier*searchTier, MaxSearchTotal)
		rows, err := tx.Query(ctx, `
			WITH candidates AS (
				SELECT i.id, i.updated_at, i.search
				FROM issues i
				WHERE numnode(websearch_to_tsquery('english', $1)) > 0
				  AND i.search @@ websearch_to_tsquery('english', $1)
				ORDER BY i.updated_at DESC, i.id DESC
				LIMIT $2
			), ranked AS (
				SELECT id, updated_at, ts_rank_cd(search, websearch_to_tsquery('english', $1)) AS rank,
				       (row_number() OVER (ORDER BY updated_at DESC, id DESC) - 1) / $3 AS tier
				FROM candidates
			), hits AS (
				SELECT id, updated_at, rank, tier FROM ranked
				ORDER BY tier, rank DESC, updated_at DESC, id DESC
				LIMIT $4 OFFSET $5
			)
			`+summarySelect+`,
			       ts_headline('english', i.title || ' ' || i.description, websearch_to_tsquery('english', $1), $6),
			       (SELECT count(*) FROM (
			           SELECT 1 FROM issues c WHERE c.search @@ websearch_to_tsquery('english', $1) LIMIT $7) c)
			FROM hits
			JOIN issues i ON i.id = hits.id
			LEFT JOIN users a ON a.id = i.assignee_id
			ORDER BY hits.tier, hits.rank DESC, hits.updated_at DESC, hits.id DESC`,
			pgx.QueryExecModeExec, q, candidates, searchTier, end-off, off, headlineOptions, MaxSearchTotal)
		if err != nil {
			return nil, 0, fmt.Errorf("search incidents: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			var snippet string
			s, err := scanSummary(rows, &snippet, &total)
			if err != nil {
				return nil, 0, fmt.Errorf("scan search result: %w", err)
			}
			s.Snippet = snippet
			items = append(items, s)
		}
		if err := rows.Err(); err != nil {
			return nil, 0, fmt.Errorf("search incidents: %w", err)
		}
	}
	if pg.pastEnd(len(items)) {
		if err := tx.QueryRow(ctx, `
			SELECT count(*) FROM (
				SELECT 1 FROM issues i
				WHERE numnode(websearch_to_tsquery('english', $1)) > 0
				  AND i.search @@ websearch_to_tsquery('english', $1)
				LIMIT $2) c`, pgx.QueryExecModeExec, q, MaxSearchTotal).Scan(&total); err != nil {
			return nil, 0, fmt.Errorf("count search results: %w", err)
		}
	}
	return items, total, nil
}
