package db

import (
	"strconv"

	"tftsr/domain"
)

// paging is the page a list finder reads. Every paged finder (FindIssues, FindLogs,
// FindAllImages, FindAuditEntries, and SearchIssues for its offset) takes its page through
// pageOf, so that they all default, clamp and skip rows alike.
type paging struct {
	page, perPage int
}

// pageOf returns the page numbered page of perPage rows, normalised by domain.NormalisePage: a
// page under 1 is the first, a size of 0 or less is domain.DefaultPerPage and one over
// domain.MaxPerPage is domain.MaxPerPage.
func pageOf(page, perPage int) paging {
	page, perPage = domain.NormalisePage(page, perPage)
	return paging{page: page, perPage: perPage}
}

// offset is the number of rows before the page.
func (p paging) offset() int { return (p.page - 1) * p.perPage }

// limitOffset returns the "LIMIT $n OFFSET $m" clause for a query whose arguments are args, and
// the arguments with the clause's two appended; args itself is left as it was, for the count of
// a page past the end.
func (p paging) limitOffset(args []any) (string, []any) {
	n := len(args)
	clause := "LIMIT $" + strconv.Itoa(n+1) + " OFFSET $" + strconv.Itoa(n+2)
	return clause, append(args[:n:n], p.perPage, p.offset())
}

// pastEnd reports whether a page that read rows rows cannot carry the total that the finder
// reads with COUNT(*) OVER(): it is empty and not the first, so the finder counts the matches
// with a second query. (An empty first page means there are none.)
func (p paging) pastEnd(rows int) bool { return rows == 0 && p.page > 1 }
