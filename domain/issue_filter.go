package domain

import (
	"net/url"
	"strconv"
	"strings"
)

// Assignee filter values besides a user id.
const (
	AssigneeNone = "none" // unassigned incidents
	AssigneeMe   = "me"   // the signed-in user's incidents
)

// ParseIssueFilter reads an incident list's filter from query parameters: one reading for the
// incident and history pages and for the API's list_issues.
//
//   - status, severity and category: repeated parameters or comma-separated values; empty
//     values are ignored (the pages' "All" choice), unknown ones refused.
//   - assignee: a user id, "none" for unassigned incidents or "me" for the incidents of the user
//     me; empty means anyone.
//   - q: text the incidents must contain (IssueFilter.Query), at most MaxSearchQueryLen bytes;
//     surrounding space is trimmed.
//   - sort: one of IssueSortKeys, updated_at by default; order: desc (the default) or asc.
//   - page and per_page as ParsePage reads them.
//
// Other parameters are ignored. Refused values come back as one EINVALID error whose fields name
// each refused parameter and whose message says what is wrong with each.
func ParseIssueFilter(q url.Values, me string) (IssueFilter, error) {
	var f IssueFilter
	fields := map[string]string{}
	f.Status = parseEnumList(q, "status", Statuses, fields)
	f.Severity = parseEnumList(q, "severity", Severities, fields)
	f.Category = parseEnumList(q, "category", Categories, fields)

	switch a := strings.TrimSpace(q.Get("assignee")); a {
	case "":
	case AssigneeNone:
		none := ""
		f.AssigneeID = &none
	case AssigneeMe:
		if me == "" {
			fields["assignee"] = "Sign in to list your own incidents."
		}
		f.AssigneeID = &me
	default:
		if id, ok := canonicalUUID(a); ok {
			f.AssigneeID = &id
		} else {
			fields["assignee"] = "Unknown assignee " + quoteParam(a) + ": give a user id, none or me."
		}
	}

	f.Query = strings.TrimSpace(q.Get("q"))
	if len(f.Query) > MaxSearchQueryLen {
		fields["q"] = "The filter text (q) is too long: at most " + itoa(MaxSearchQueryLen) + " characters."
	}
	if s := q.Get("sort"); s == "" || contains(IssueSortKeys, s) {
		f.Sort = s
	} else {
		fields["sort"] = "Unknown sort " + quoteParam(s) + ": sort by " + choices(IssueSortKeys) + "."
	}
	switch o := q.Get("order"); o {
	case "", "desc", "asc":
		f.Desc = o != "asc"
	default:
		fields["order"] = "Unknown order " + quoteParam(o) + ": order asc or desc."
	}
	f.Page, f.PerPage = parsePage(q, fields)
	if len(fields) > 0 {
		return IssueFilter{}, paramsError(fields, "status", "severity", "category", "assignee", "q", "sort", "order", "page", "per_page")
	}
	f.Normalise()
	return f, nil
}

// ParsePage reads the page and per_page query parameters of a list: page counts from 1 (pages
// past 1,000,000 are read as that one), per_page is 1 to MaxPerPage, and an absent or empty one
// takes its default (1, DefaultPerPage). Anything else is refused with EINVALID on the field.
func ParsePage(q url.Values) (page, perPage int, err error) {
	fields := map[string]string{}
	page, perPage = parsePage(q, fields)
	if len(fields) > 0 {
		return 0, 0, paramsError(fields, "page", "per_page")
	}
	return page, perPage, nil
}

// parsePage reads page and per_page into a normalised pair, noting refused values in fields.
func parsePage(q url.Values, fields map[string]string) (int, int) {
	var page, perPage int
	if v := q.Get("page"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			fields["page"] = "Invalid page " + quoteParam(v) + ": give a page number from 1."
		}
		page = n
	}
	if v := q.Get("per_page"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > MaxPerPage {
			fields["per_page"] = "Invalid per_page " + quoteParam(v) + ": give a page size from 1 to " + itoa(MaxPerPage) + "."
		}
		perPage = n
	}
	return NormalisePage(page, perPage)
}

// parseEnumList reads the values of parameter name, repeated or comma-separated, skipping empty
// ones; the first value not in known is noted in fields.
func parseEnumList[T ~string](q url.Values, name string, known []T, fields map[string]string) []T {
	var out []T
	for _, v := range q[name] {
		for _, p := range strings.Split(v, ",") {
			p = strings.TrimSpace(p)
			if p == "" {
				continue
			}
			if !contains(known, T(p)) {
				if fields[name] == "" {
					fields[name] = "Unknown " + name + " " + quoteParam(p) + ": choose " + choices(known) + "."
				}
				continue
			}
			out = append(out, T(p))
		}
	}
	return out
}

// paramsError is the EINVALID error of refused query parameters; its message joins the fields'
// messages in the order given.
func paramsError(fields map[string]string, order ...string) error {
	var msgs []string
	for _, k := range order {
		if m := fields[k]; m != "" {
			msgs = append(msgs, m)
		}
	}
	return Invalid(strings.Join(msgs, " "), fields)
}

// maxQuotedParamRunes bounds the part of a refused value that its message repeats.
const maxQuotedParamRunes = 40

// quoteParam quotes a refused parameter value for a message, cut to a readable length.
func quoteParam(v string) string {
	if r := []rune(v); len(r) > maxQuotedParamRunes {
		v = string(r[:maxQuotedParamRunes]) + "…"
	}
	return strconv.Quote(v)
}

// choices lists values as "a, b or c".
func choices[T ~string](list []T) string {
	var b strings.Builder
	for i, v := range list {
		switch {
		case i == 0:
		case i == len(list)-1:
			b.WriteString(" or ")
		default:
			b.WriteString(", ")
		}
		b.WriteString(string(v))
	}
	return b.String()
}
