package db

import (
	"fmt"
	"testing"

	"tftsr/domain"
)

func TestPageOf(t *testing.T) {
	for _, c := range []struct {
		page, perPage                   int
		args                            []any
		wantClause                      string
		wantPage, wantLimit, wantOffset int
	}{
		{page: 1, perPage: 10, wantClause: "LIMIT $1 OFFSET $2", wantLimit: 10, wantOffset: 0, wantPage: 1},
		{page: 3, perPage: 10, args: []any{"a", "b"}, wantClause: "LIMIT $3 OFFSET $4", wantLimit: 10, wantOffset: 20, wantPage: 3},
		{page: 0, perPage: 0, wantClause: "LIMIT $1 OFFSET $2", wantLimit: domain.DefaultPerPage, wantOffset: 0, wantPage: 1},
		{page: -4, perPage: -1, wantClause: "LIMIT $1 OFFSET $2", wantLimit: domain.DefaultPerPage, wantOffset: 0, wantPage: 1},
		{page: 2, perPage: domain.MaxPerPage + 1, args: []any{1}, wantClause: "LIMIT $2 OFFSET $3", wantLimit: domain.MaxPerPage, wantOffset: domain.MaxPerPage, wantPage: 2},
		{page: 5_000_000, perPage: 1, wantClause: "LIMIT $1 OFFSET $2", wantLimit: 1, wantOffset: 999_999, wantPage: 1_000_000},
	} {
		t.Run(fmt.Sprintf("page %d of %d", c.page, c.perPage), func(t *testing.T) {
			pg := pageOf(c.page, c.perPage)
			if pg.page != c.wantPage || pg.perPage != c.wantLimit || pg.offset() != c.wantOffset {
				t.Errorf("pageOf = %+v, offset %d", pg, pg.offset())
			}
			args := append(make([]any, 0, 8), c.args...) // spare capacity: limitOffset must not write into it
			clause, all := pg.limitOffset(args)
			if clause != c.wantClause {
				t.Errorf("clause %q, want %q", clause, c.wantClause)
			}
			if len(all) != len(c.args)+2 || all[len(all)-2] != c.wantLimit || all[len(all)-1] != c.wantOffset {
				t.Errorf("arguments %v", all)
			}
			if len(args) != len(c.args) || cap(args) != 8 {
				t.Errorf("the query's own arguments changed: %v", args)
			}
			all[0] = "changed"
			if len(args) > 0 && args[0] == "changed" {
				t.Errorf("limitOffset shares the arguments' array")
			}
		})
	}
}

func TestPagingPastEnd(t *testing.T) {
	for _, c := range []struct {
		page, rows int
		want       bool
	}{
		{1, 0, false}, // an empty first page: there are no matches
		{1, 3, false},
		{2, 3, false},
		{2, 0, true},
		{40, 0, true},
	} {
		if got := pageOf(c.page, 10).pastEnd(c.rows); got != c.want {
			t.Errorf("page %d with %d rows: pastEnd = %v", c.page, c.rows, got)
		}
	}
}
