package db_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"tftsr/db"
	"tftsr/domain"
)

func TestIssueService_SearchIssues(t *testing.T) {
	t.Parallel()
	s := MustOpenServices(t)
	_, ctx := MustCreateUser(t, s, domain.RoleResponder)
	_, viewerCtx := MustCreateUser(t, s, domain.RoleViewer)

	create := func(title, description string) string {
		t.Helper()
		s.Clock.Add(time.Minute)
		return MustCreateIssue(t, s, ctx, domain.NewIssue{Title: title, Description: description}).ID
	}
	// Created first, so the most recently updated ones would win a tie.
	titleHit := create("Kerberos ticket renewal failing", "Users cannot log in after lunch.")
	descHit := create("Login problems on the third floor", "Looks like kerberos clock skew on the domain controller.")
	dns := create("DNS resolution slow", "Resolvers time out under load; the cache hit rate dropped.")
	disk := create("Disk full on db01", "The WAL archive filled the disk. DNS is fine.")
	printer := create("Printer jam", "Paper jam in tray two; nothing to do with the network.")

	search := func(q string) ([]*domain.IssueSummary, int) {
		t.Helper()
		items, total, err := s.Issues.SearchIssues(viewerCtx, q, 1, 10)
		if err != nil {
			t.Fatalf("search %q: %v", q, err)
		}
		return items, total
	}
	idsOf := func(items []*domain.IssueSummary) string {
		var ids []string
		for _, it := range items {
			ids = append(ids, it.ID)
		}
		return strings.Join(ids, ",")
	}

	t.Run("TitleBeatsDescription", func(t *testing.T) {
		items, total := search("kerberos")
		if total != 2 || idsOf(items) != titleHit+","+descHit {
			t.Fatalf("results = %s (%d), want title hit then description hit", idsOf(items), total)
		}
	})
	t.Run("Stemming", func(t *testing.T) {
		if items, _ := search("renewals fail"); idsOf(items) != titleHit {
			t.Fatalf("results = %s", idsOf(items))
		}
	})
	t.Run("WebsearchSyntax", func(t *testing.T) {
		for q, want := range map[string]string{
			`"clock skew"`:       descHit,
			`"skew clock"`:       "",
			`dns -disk`:          dns,
			`printer or disk`:    disk + "," + printer, // equal rank: newest first
			`jam -"paper jam"`:   "",
			`DNS`:                dns + "," + disk, // title beats description
			`kerberos lunch`:     titleHit,
			`"domain controller`: descHit, // an unbalanced quote is tolerated
		} {
			if items, _ := search(q); idsOf(items) != want {
				t.Errorf("%s: results = %s, want %s", q, idsOf(items), want)
			}
		}
	})
	t.Run("Snippet", func(t *testing.T) {
		items, _ := search("skew")
		if len(items) != 1 {
			t.Fatalf("results = %d", len(items))
		}
		snip := items[0].Snippet
		if !strings.Contains(snip, domain.SnippetStart+"skew"+domain.SnippetStop) {
			t.Fatalf("snippet %q does not mark the matched word", snip)
		}
		if strings.Contains(snip, "<b>") {
			t.Fatalf("snippet %q uses the default markers", snip)
		}
		items, _ = search("kerberos")
		if !strings.Contains(items[0].Snippet, domain.SnippetStart+"Kerberos"+domain.SnippetStop) {
			t.Fatalf("title snippet = %q", items[0].Snippet)
		}
	})
	t.Run("Paging", func(t *testing.T) {
		items, total, err := s.Issues.SearchIssues(viewerCtx, "dns or kerberos", 2, 3)
		if err != nil {
			t.Fatal(err)
		} else if total != 4 || len(items) != 1 {
			t.Fatalf("page 2 = %d items, total %d", len(items), total)
		}
		items, total, err = s.Issues.SearchIssues(viewerCtx, "dns or kerberos", 9, 3)
		if err != nil || total != 4 || len(items) != 0 {
			t.Fatalf("page 9 = %d items, total %d, %v", len(items), total, err)
		}
	})
	t.Run("HostileInput", func(t *testing.T) {
		for name, q := range map[string]string{
			"operators":      `&|!():*`,
			"unbalanced":     `"unbalanced`,
			"quote":          `'`,
			"backslash":      `\`,
			"script":         `<script>alert(1)</script>`,
			"empty":          ``,
			"spaces":         "  \t\n ",
			"stopwords":      `the`,
			"manystopwords":  `the and of or not`,
			"long":           strings.Repeat("kerberos ", 1200),
			"huge":           strings.Repeat("a", 10_000),
			"invalidUTF8":    "kerb\xff\xfeeros \xc3",
			"nul":            "dns\x00",
			"markers":        domain.SnippetStart + "dns" + domain.SnippetStop,
			"tsquerySyntax":  `dns:* & !disk | (a <-> b)`,
			"sqlish":         `'; DROP TABLE issues; --`,
			"minus":          `-`,
			"or":             `or`,
			"unicode":        `café 日本語 🔥`,
			"percent":        `%_`,
			"doubleNegation": `--dns`,
		} {
			items, total, err := s.Issues.SearchIssues(viewerCtx, q, 1, 10)
			if err != nil {
				t.Errorf("%s: %v", name, err)
			}
			if items == nil || len(items) != min(total, 10) {
				t.Errorf("%s: %d items, total %d", name, len(items), total)
			}
			for _, it := range items {
				// Markers come only from the highlighter, in pairs.
				if strings.Count(it.Snippet, domain.SnippetStart) != strings.Count(it.Snippet, domain.SnippetStop) {
					t.Errorf("%s: unbalanced markers in %q", name, it.Snippet)
				}
			}
		}
		if items, _ := search("the"); len(items) != 0 {
			t.Fatalf("a stop word found %d incidents", len(items))
		}
		if items, _ := search(strings.Repeat("kerberos ", 1200)); idsOf(items) != titleHit+","+descHit {
			t.Fatalf("a long query found %s", idsOf(items))
		}
		if items, _ := search("dns\x00"); idsOf(items) != dns+","+disk {
			t.Fatalf("a query with NUL found %s", idsOf(items))
		}
	})
	t.Run("ErrUnauthorized", func(t *testing.T) {
		_, _, err := s.Issues.SearchIssues(t.Context(), "dns", 1, 10)
		wantCode(t, err, domain.EUNAUTHORIZED)
	})
}

func TestIssueService_SearchIssues_Tiers(t *testing.T) {
	t.Parallel()
	s := MustOpenServices(t)
	_, ctx := MustCreateUser(t, s, domain.RoleViewer)
	// 1200 matches: n minutes old, the newest first; every 100th has the word in its title too.
	if _, err := s.DB.Pool.Exec(context.Background(), `
		INSERT INTO issues (id, title, description, severity, category, status, created_at, updated_at)
		SELECT gen_random_uuid(), CASE WHEN n % 100 = 50 THEN 'Widget outage ' || n ELSE 'Outage ' || n END,
		       'The widget service failed.', 'medium', 'general', 'open',
		       $1::timestamptz - n * interval '1 minute', $1::timestamptz - n * interval '1 minute'
		FROM generate_series(1, 1200) n`, s.Clock.Now()); err != nil {
		t.Fatal(err)
	}
	titleOf := func(items []*domain.IssueSummary) []string {
		var out []string
		for _, it := range items {
			out = append(out, it.Title)
		}
		return out
	}

	items, total, err := s.Issues.SearchIssues(ctx, "widget", 1, 10)
	if err != nil {
		t.Fatal(err)
	} else if total != db.MaxSearchTotal {
		t.Fatalf("total = %d, want the cap %d", total, db.MaxSearchTotal)
	}
	// The first tier is the 500 newest matches: its five title matches come first, newest first.
	want := []string{"Widget outage 50", "Widget outage 150", "Widget outage 250", "Widget outage 350", "Widget outage 450", "Outage 1"}
	if got := titleOf(items); strings.Join(got[:6], "|") != strings.Join(want, "|") {
		t.Fatalf("page 1 = %q, want %q…", got, want)
	}
	// Page 51 starts the second tier, which begins with its title matches.
	items, _, err = s.Issues.SearchIssues(ctx, "widget", 51, 10)
	if err != nil {
		t.Fatal(err)
	} else if got := titleOf(items); got[0] != "Widget outage 550" {
		t.Fatalf("page 51 = %q", got)
	}
	// The last page within the cap is full; the one after it is empty but knows the total.
	items, _, err = s.Issues.SearchIssues(ctx, "widget", 100, 10)
	if err != nil || len(items) != 10 {
		t.Fatalf("page 100: %d items, %v", len(items), err)
	}
	items, total, err = s.Issues.SearchIssues(ctx, "widget", 101, 10)
	if err != nil || len(items) != 0 || total != db.MaxSearchTotal {
		t.Fatalf("page 101: %d items, total %d, %v", len(items), total, err)
	}
}
