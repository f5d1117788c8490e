package triage_test

import (
	"reflect"
	"strings"
	"testing"

	"tftsr/domain/triage"
)

func TestParseWhyProposals(t *testing.T) {
	type c = triage.Citation
	tests := []struct {
		name  string
		reply string
		want  []triage.WhyProposal
	}{
		{"plain", "Proposed Why 2: The connection pool was exhausted. (evidence: app.log:1042–1050, db.log:77)",
			[]triage.WhyProposal{{Number: 2, Answer: "The connection pool was exhausted.", Evidence: "app.log:1042–1050, db.log:77",
				Citations: []c{{"app.log", 1042, 1050}, {"db.log", 77, 77}}}}},
		{"in a reply with other text", `The logs show the pool filling up.

Why 2: Why did the API time out?

- **Proposed Why 2:** The DB connection pool was exhausted by a leak (evidence: app.log:1042-1050)
- Proposed why #3 — The leak came from the retry loop in the 4.2 release (evidence: app.log:2001..2010, deploy.log:12)

Root cause: a retry loop that does not release connections.`,
			[]triage.WhyProposal{
				{Number: 2, Answer: "The DB connection pool was exhausted by a leak", Evidence: "app.log:1042-1050", Citations: []c{{"app.log", 1042, 1050}}},
				{Number: 3, Answer: "The leak came from the retry loop in the 4.2 release", Evidence: "app.log:2001..2010, deploy.log:12",
					Citations: []c{{"app.log", 2001, 2010}, {"deploy.log", 12, 12}}},
			}},
		{"emphasis all round", "**Proposed Why 1**: *Disk /var filled up* (evidence: `syslog:10-12`)",
			[]triage.WhyProposal{{Number: 1, Answer: "Disk /var filled up", Evidence: "`syslog:10-12`", Citations: []c{{"syslog", 10, 12}}}}},
		{"numbered list and question", "1. Proposed Why 4 (Why was the alert missed?): The alert rule pointed at a retired dashboard [evidence: alerts/rules.log:5]",
			[]triage.WhyProposal{{Number: 4, Question: "Why was the alert missed?", Answer: "The alert rule pointed at a retired dashboard",
				Evidence: "alerts/rules.log:5", Citations: []c{{"alerts/rules.log", 5, 5}}}}},
		{"evidence after a dash", "> PROPOSED WHY NO. 5 - Nobody owned certificate renewal — evidence: cert-manager_2.log:300–310.",
			[]triage.WhyProposal{{Number: 5, Answer: "Nobody owned certificate renewal", Evidence: "cert-manager_2.log:300–310",
				Citations: []c{{"cert-manager_2.log", 300, 310}}}}},
		{"no evidence", "Proposed Why 1: The load balancer health check failed.",
			[]triage.WhyProposal{{Number: 1, Answer: "The load balancer health check failed."}}},
		{"evidence without citations", "Proposed Why 2: Memory leak (evidence: heap graph in Grafana)",
			[]triage.WhyProposal{{Number: 2, Answer: "Memory leak", Evidence: "heap graph in Grafana"}}},
		{"heading", "### Proposed Why 3: Cron ran twice (evidence: cron.log:8)",
			[]triage.WhyProposal{{Number: 3, Answer: "Cron ran twice", Evidence: "cron.log:8", Citations: []c{{"cron.log", 8, 8}}}}},
		{"not proposals", "Why 2: Why did it fail?\nI propose we look at Why 3 next.\nProposed Why 6: out of range\nProposed Why 0: zero\nProposed Why 2:   \nProposed Why 22: no",
			nil},
		{"inside a code fence", "```\nProposed Why 2: example (evidence: app.log:1)\n```\nProposed Why 1: real one",
			[]triage.WhyProposal{{Number: 1, Answer: "real one"}}},
		{"markup stays text", "Proposed Why 1: <script>alert(1)</script> (evidence: a.log:1)",
			[]triage.WhyProposal{{Number: 1, Answer: "<script>alert(1)</script>", Evidence: "a.log:1", Citations: []c{{"a.log", 1, 1}}}}},
		{"CRLF", "Proposed Why 1: pool empty (evidence: app.log:3)\r\nProposed Why 2: leak\r\n",
			[]triage.WhyProposal{{Number: 1, Answer: "pool empty", Evidence: "app.log:3", Citations: []c{{"app.log", 3, 3}}}, {Number: 2, Answer: "leak"}}},
		{"empty", "", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := triage.ParseWhyProposals(tt.reply)
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("ParseWhyProposals(%q)\n got %+v\nwant %+v", tt.reply, got, tt.want)
			}
		})
	}
}

func TestParseWhyProposals_Bounded(t *testing.T) {
	// Many proposals: at most MaxWhyProposals.
	many := strings.Repeat("Proposed Why 1: again (evidence: app.log:1)\n", 1000)
	if got := triage.ParseWhyProposals(many); len(got) != triage.MaxWhyProposals {
		t.Errorf("got %d proposals, want %d", len(got), triage.MaxWhyProposals)
	}
	// A huge line is skipped; a huge answer too.
	huge := "Proposed Why 1: " + strings.Repeat("x", 50_000) + "\nProposed Why 2: " + strings.Repeat("y", triage.MaxAnswerLen+1) + "\nProposed Why 3: ok"
	if got := triage.ParseWhyProposals(huge); len(got) != 1 || got[0].Number != 3 {
		t.Errorf("huge = %+v", got)
	}
	// Invalid UTF-8 is no proposal.
	if got := triage.ParseWhyProposals("Proposed Why 1: bad \xff byte"); got != nil {
		t.Errorf("invalid UTF-8 = %+v", got)
	}
	// Many citations: at most MaxCitations.
	ev := strings.Repeat("app.log:1, ", 10) + strings.Repeat("b.log:9-10 ", 0)
	for i := 1; i <= 100; i++ {
		ev += "x.log:" + strings.Repeat("1", 1) + "0" + string(rune('0'+i%10)) + " "
	}
	if got := triage.FindCitations(ev); len(got) != triage.MaxCitations {
		t.Errorf("got %d citations, want %d", len(got), triage.MaxCitations)
	}
}

func TestParseCitations(t *testing.T) {
	type c = triage.Citation
	tests := []struct {
		in   string
		want []c
	}{
		{"app.log:1042–1050", []c{{"app.log", 1042, 1050}}},
		{"app.log:1042-1050, db.log:77", []c{{"app.log", 1042, 1050}, {"db.log", 77, 77}}},
		{"app.log:10..20", []c{{"app.log", 10, 20}}},
		{"app.log:10 - 20", []c{{"app.log", 10, 20}}},
		{"app.log:10—20", []c{{"app.log", 10, 20}}},
		{"app.log#L12-L20", []c{{"app.log", 12, 20}}},
		{"var/log/nginx/error-2.log.1:5", []c{{"var/log/nginx/error-2.log.1", 5, 5}}},
		{"my_app-v2.0.log:3", []c{{"my_app-v2.0.log", 3, 3}}},
		{"syslog:9", []c{{"syslog", 9, 9}}},
		{"see `app.log:4` and (db.log:5).", []c{{"app.log", 4, 4}, {"db.log", 5, 5}}},
		{"app.log:4, app.log:4", []c{{"app.log", 4, 4}}},
		{"app.log:1-10001", []c{{"app.log", 1, 10001}}},
		// Rejected.
		{"app.log:1-10002", nil},
		{"app.log:0", nil},
		{"app.log:0-5", nil},
		{"app.log:50-40", nil},
		{"app.log:-5", nil},
		{"app.log:99999999999", nil},
		{"at 10:42 UTC the error 5:3 appeared", nil},
		{"code:42", nil},
		{"http://host:8080/x", nil},
		{"", nil},
	}
	for _, tt := range tests {
		if got := triage.ParseCitations(tt.in); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("ParseCitations(%q) = %+v, want %+v", tt.in, got, tt.want)
		}
	}
	if s := (triage.Citation{File: "app.log", From: 3, To: 9}).String(); s != "app.log:3–9" {
		t.Errorf("String = %q", s)
	}
	if s := (triage.Citation{File: "app.log", From: 3, To: 3}).String(); s != "app.log:3" {
		t.Errorf("String = %q", s)
	}
	// Offsets point at the citation.
	text := "lines app.log:7-8 show it"
	m := triage.FindCitations(text)
	if len(m) != 1 || text[m[0].Start:m[0].End] != "app.log:7-8" {
		t.Errorf("FindCitations = %+v", m)
	}
}

func FuzzParseWhyProposals(f *testing.F) {
	f.Add("Proposed Why 2: pool (evidence: app.log:1-2)")
	f.Add("**Proposed why #3 —** x — evidence: a.log:1..3")
	f.Fuzz(func(t *testing.T, s string) {
		for _, p := range triage.ParseWhyProposals(s) {
			if p.Number < 1 || p.Number > 5 || p.Answer == "" || len(p.Citations) > triage.MaxCitations {
				t.Fatalf("bad proposal %+v", p)
			}
			for _, c := range p.Citations {
				if c.From < 1 || c.To < c.From || c.To-c.From > triage.MaxCitationSpan {
					t.Fatalf("bad citation %+v", c)
				}
			}
		}
	})
}

// The persona asks for proposals in the format the parser reads.
func TestTriagePersonaAsksForProposals(t *testing.T) {
	prompt := triage.SystemPrompt(triage.Prompt{Title: "x", Category: "general", CategoryLabel: "General"})
	const format = `"Proposed Why N: <answer in one sentence> (evidence: <file name>:<first line>–<last line>, <file name>:<line>)"`
	if !strings.Contains(prompt, format) {
		t.Fatalf("the system prompt does not ask for proposals:\n%s", prompt)
	}
	// The persona's own example is no proposal, a reply following it is.
	if got := triage.ParseWhyProposals(prompt); got != nil {
		t.Errorf("the prompt parses as proposals: %+v", got)
	}
	reply := strings.NewReplacer("N", "3", "<answer in one sentence>", "The cache was cold", "<file name>", "app.log",
		"<first line>", "40", "<last line>", "42", "<line>", "7").Replace(strings.Trim(format, `"`))
	want := []triage.WhyProposal{{Number: 3, Answer: "The cache was cold", Evidence: "app.log:40–42, app.log:7",
		Citations: []triage.Citation{{File: "app.log", From: 40, To: 42}, {File: "app.log", From: 7, To: 7}}}}
	if got := triage.ParseWhyProposals(reply); !reflect.DeepEqual(got, want) {
		t.Errorf("ParseWhyProposals(%q) = %+v", reply, got)
	}
	// Proposals do not count as why lines for the level.
	if p := triage.ParseWhyProgress(reply); p.Level != 0 {
		t.Errorf("level = %d", p.Level)
	}
}
