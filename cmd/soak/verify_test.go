package main

import (
	"math/rand/v2"
	"strings"
	"testing"
)

func newTestRand() *rand.Rand { return rand.New(rand.NewPCG(1, 2)) }

func TestCount(t *testing.T) {
	made := []string{"m1", "m2", "m3", "m4"}
	found := map[string]int{"m1": 1, "m2": 2, "m4": 1, "m9": 1}
	got := count(made, found)
	if got.Made != 4 || got.Once != 2 || got.Missing != 1 || got.Duplicated != 1 || got.Unacknowledged != 1 {
		t.Errorf("count = %+v, want 4 made, 2 once, 1 missing, 1 duplicated, 1 unacknowledged", got)
	}
	if got.ok() {
		t.Error("a missing and a duplicated write count as ok")
	}
	if ex := strings.Join(got.Examples, "; "); !strings.Contains(ex, "m3 missing") || !strings.Contains(ex, "m2 ×2") {
		t.Errorf("examples %q, want m3 missing and m2 ×2", ex)
	}
	if all := count([]string{"a", "b"}, map[string]int{"a": 1, "b": 1}); !all.ok() || all.Once != 2 {
		t.Errorf("every write once: %+v, want ok", all)
	}
	if none := count(nil, nil); !none.ok() || none.Made != 0 {
		t.Errorf("no writes: %+v, want ok", none)
	}
}

func TestWriteVerification(t *testing.T) {
	l := newLedger()
	l.ack(writeNote, "n1")
	l.ack(writeNote, "n2")
	l.ack(writeWhy, "w1")
	l.fail(writeChat)
	var b strings.Builder
	ok := writeVerification(&b, l, map[writeKind]map[string]int{writeNote: {"n1": 1, "n2": 1}, writeWhy: {"w1": 1}})
	if !ok {
		t.Errorf("every write found once, yet not ok:\n%s", b.String())
	}
	if !strings.Contains(b.String(), "writes: 3 made, 3 found exactly once, 0 missing, 0 duplicated") {
		t.Errorf("summary line missing:\n%s", b.String())
	}
	b.Reset()
	if writeVerification(&b, l, map[writeKind]map[string]int{writeNote: {"n1": 1}, writeWhy: {"w1": 1}}) {
		t.Errorf("a missing note, yet ok:\n%s", b.String())
	}
	if !strings.Contains(b.String(), "timeline note: n2 missing") {
		t.Errorf("the missing note is not named:\n%s", b.String())
	}
}

func TestMarkerIsUniquePerUser(t *testing.T) {
	a := &user{n: 1, sh: &shared{run: "abcd2345"}}
	b := &user{n: 2, sh: a.sh}
	seen := map[string]bool{}
	for range 3 {
		for _, m := range []string{a.marker(), b.marker()} {
			if seen[m] {
				t.Fatalf("marker %s made twice", m)
			}
			seen[m] = true
			if !strings.HasPrefix(m, "soak-abcd2345-u00") {
				t.Errorf("marker %s does not name the run and user", m)
			}
		}
	}
}
