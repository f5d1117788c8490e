package main

import (
	"context"
	"fmt"
	"io"
	"sort"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"tftsr/blob"
)

// tally compares the writes the portal acknowledged with the markers found in the database.
type tally struct {
	Made, Once, Missing, Duplicated int
	// Unacknowledged are markers found that no acknowledged write carries: writes whose
	// request failed but which were stored anyway.
	Unacknowledged int
	// Examples name a few of the markers missing or duplicated, for the report.
	Examples []string
}

// ok reports whether every acknowledged write is there exactly once.
func (t tally) ok() bool { return t.Missing == 0 && t.Duplicated == 0 }

// count compares made, the markers of acknowledged writes, with found, how often each marker
// is in the database.
func count(made []string, found map[string]int) tally {
	t := tally{Made: len(made)}
	acked := make(map[string]bool, len(made))
	for _, m := range made {
		acked[m] = true
		switch n := found[m]; {
		case n == 1:
			t.Once++
		case n == 0:
			t.Missing++
			if len(t.Examples) < 5 {
				t.Examples = append(t.Examples, m+" missing")
			}
		default:
			t.Duplicated++
			if len(t.Examples) < 5 {
				t.Examples = append(t.Examples, fmt.Sprintf("%s ×%d", m, n))
			}
		}
	}
	for m := range found {
		if !acked[m] {
			t.Unacknowledged++
		}
	}
	return t
}

// markerQueries find each kind's markers: the table's text column that carries them.
var markerQueries = map[writeKind]string{
	writeIssue: `SELECT title FROM issues`,
	writeNote:  `SELECT description FROM timeline_events WHERE event_type = 'note'`,
	writeWhy:   `SELECT answer FROM five_whys`,
	writeLog:   `SELECT file_name FROM log_files`,
	writeChat:  `SELECT content FROM messages WHERE role = 'user'`,
}

// findMarkers counts the run's markers in the database, by kind.
func findMarkers(ctx context.Context, conn *pgx.Conn, run string) (map[writeKind]map[string]int, error) {
	out := map[writeKind]map[string]int{}
	pattern := `soak-` + run + `-u[0-9]+-w[0-9]+`
	for k, q := range markerQueries {
		col := q[len("SELECT "):strings.Index(q, " FROM")]
		sql := fmt.Sprintf(`SELECT substring(%s FROM '%s') AS m, count(*) FROM (%s) t WHERE %s LIKE '%%soak-%s-%%' GROUP BY m`,
			col, pattern, q, col, run)
		rows, err := conn.Query(ctx, sql)
		if err != nil {
			return nil, fmt.Errorf("counting %ss: %w", k, err)
		}
		found := map[string]int{}
		for rows.Next() {
			var m *string
			var n int
			if err := rows.Scan(&m, &n); err != nil {
				rows.Close()
				return nil, err
			}
			if m != nil {
				found[*m] += n
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
		out[k] = found
	}
	return out, nil
}

// replyStatuses counts the chat replies by status.
func replyStatuses(ctx context.Context, conn *pgx.Conn) (map[string]int, error) {
	rows, err := conn.Query(ctx, `SELECT status, count(*) FROM messages WHERE role = 'assistant' GROUP BY status`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]int{}
	for rows.Next() {
		var s string
		var n int
		if err := rows.Scan(&s, &n); err != nil {
			return nil, err
		}
		out[s] = n
	}
	return out, rows.Err()
}

// unfinishedReplies describes a few chat replies that did not complete: status and error.
func unfinishedReplies(ctx context.Context, conn *pgx.Conn) ([]string, error) {
	rows, err := conn.Query(ctx, `SELECT status, error, left(content, 80) FROM messages
		WHERE role = 'assistant' AND status <> 'complete' ORDER BY seq LIMIT 5`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var status, msg, content string
		if err := rows.Scan(&status, &msg, &content); err != nil {
			return nil, err
		}
		out = append(out, fmt.Sprintf("%s: %q after %q", status, msg, content))
	}
	return out, rows.Err()
}

// missingLogObjects returns how many logs have no object in the store, of how many.
func missingLogObjects(ctx context.Context, conn *pgx.Conn, store *blob.Store) (missing, total int, err error) {
	keys := map[string]bool{}
	if err := store.List(ctx, "logs/", time.Time{}, func(key string) error { keys[key] = true; return nil }); err != nil {
		return 0, 0, err
	}
	rows, err := conn.Query(ctx, `SELECT object_key FROM log_files`)
	if err != nil {
		return 0, 0, err
	}
	defer rows.Close()
	for rows.Next() {
		var k string
		if err := rows.Scan(&k); err != nil {
			return 0, 0, err
		}
		total++
		if !keys[k] {
			missing++
		}
	}
	return missing, total, rows.Err()
}

// writeVerification prints the verification table and returns whether everything was there.
func writeVerification(w io.Writer, l *ledger, found map[writeKind]map[string]int) bool {
	rows := [][]string{{"write", "made", "found once", "missing", "duplicated", "failed requests", "stored unacknowledged"}}
	ok := true
	var all tally
	var examples []string
	for _, k := range writeKinds {
		t := count(l.made[k], found[k])
		ok = ok && t.ok()
		rows = append(rows, []string{string(k), fmt.Sprint(t.Made), fmt.Sprint(t.Once), fmt.Sprint(t.Missing),
			fmt.Sprint(t.Duplicated), fmt.Sprint(l.failed[k]), fmt.Sprint(t.Unacknowledged)})
		all.Made += t.Made
		all.Once += t.Once
		all.Missing += t.Missing
		all.Duplicated += t.Duplicated
		all.Unacknowledged += t.Unacknowledged
		for _, e := range t.Examples {
			examples = append(examples, string(k)+": "+e)
		}
	}
	failed := 0
	for _, n := range l.failed {
		failed += n
	}
	rows = append(rows, []string{"total", fmt.Sprint(all.Made), fmt.Sprint(all.Once), fmt.Sprint(all.Missing),
		fmt.Sprint(all.Duplicated), fmt.Sprint(failed), fmt.Sprint(all.Unacknowledged)})
	writeMarkdown(w, rows)
	fmt.Fprintf(w, "\nwrites: %d made, %d found exactly once, %d missing, %d duplicated\n", all.Made, all.Once, all.Missing, all.Duplicated)
	sort.Strings(examples)
	for _, e := range examples {
		fmt.Fprintln(w, "  ", e)
	}
	return ok
}
