package main

import (
	"fmt"
	"io"
	"maps"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"
)

// sample is one request the drill made: which route, how long it took and whether it counts
// as an error (a status that is not the intended outcome, a transport error, a timeout).
type sample struct {
	route   string
	latency time.Duration
	err     bool
}

// recorder collects the samples of the timed run. It is safe for concurrent use.
type recorder struct {
	mu      sync.Mutex
	samples []sample
	// errors keeps the first few error messages per route, for the report.
	errors map[string][]string
	// checks counts the failed checks of answers that had a good status (a chat reply that
	// did not complete, an export that is no PDF), by check.
	checks map[string]int
}

func newRecorder() *recorder {
	return &recorder{errors: map[string][]string{}, checks: map[string]int{}}
}

// failCheck records a failed check of an answer; it is an error too.
func (r *recorder) failCheck(check, msg string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.checks[check]++
	if len(r.errors[check]) < 5 {
		r.errors[check] = append(r.errors[check], msg)
	}
}

// failedChecks returns the failed checks by name.
func (r *recorder) failedChecks() map[string]int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return maps.Clone(r.checks)
}

// errorMessages returns the first messages of each route's or check's errors.
func (r *recorder) errorMessages() map[string][]string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return maps.Clone(r.errors)
}

// add records one request; msg describes an error (ignored when err is false).
func (r *recorder) add(route string, latency time.Duration, err bool, msg string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.samples = append(r.samples, sample{route: route, latency: latency, err: err})
	if err && len(r.errors[route]) < 5 {
		r.errors[route] = append(r.errors[route], msg)
	}
}

// routeStats is the summary of one route's samples (or of all of them).
type routeStats struct {
	Route                    string
	Count, Errors            int
	P50, P95, P99, Max, Mean time.Duration
}

// percentile returns the p-th percentile (0 < p ≤ 1) of sorted latencies by the nearest-rank
// method: the smallest value with at least p of the samples at or below it.
func percentile(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	rank := int(float64(len(sorted))*p + 0.999999999)
	rank = min(max(rank, 1), len(sorted))
	return sorted[rank-1]
}

// summarise returns the stats of samples under the given route name.
func summarise(route string, samples []sample) routeStats {
	s := routeStats{Route: route, Count: len(samples)}
	lat := make([]time.Duration, 0, len(samples))
	var sum time.Duration
	for _, x := range samples {
		if x.err {
			s.Errors++
		}
		lat = append(lat, x.latency)
		sum += x.latency
	}
	slices.Sort(lat)
	if len(lat) > 0 {
		s.P50, s.P95, s.P99 = percentile(lat, 0.50), percentile(lat, 0.95), percentile(lat, 0.99)
		s.Max, s.Mean = lat[len(lat)-1], sum/time.Duration(len(lat))
	}
	return s
}

// summary returns one routeStats per route, by route name, and the total over all routes.
func (r *recorder) summary() ([]routeStats, routeStats) {
	r.mu.Lock()
	defer r.mu.Unlock()
	byRoute := map[string][]sample{}
	for _, s := range r.samples {
		byRoute[s.route] = append(byRoute[s.route], s)
	}
	names := make([]string, 0, len(byRoute))
	for n := range byRoute {
		names = append(names, n)
	}
	sort.Strings(names)
	out := make([]routeStats, 0, len(names))
	for _, n := range names {
		out = append(out, summarise(n, byRoute[n]))
	}
	return out, summarise("total", r.samples)
}

// ms formats a duration in milliseconds with one decimal.
func ms(d time.Duration) string {
	return fmt.Sprintf("%.1f", float64(d.Microseconds())/1000)
}

// writeTable prints the per-route table and the total over elapsed as a Markdown table, so
// that it can be pasted into a note as it is.
func writeTable(w io.Writer, routes []routeStats, total routeStats, elapsed time.Duration) {
	rows := [][]string{{"route", "count", "req/s", "p50 ms", "p95 ms", "p99 ms", "max ms", "errors"}}
	for _, s := range append(slices.Clone(routes), total) {
		rate := 0.0
		if elapsed > 0 {
			rate = float64(s.Count) / elapsed.Seconds()
		}
		rows = append(rows, []string{s.Route, fmt.Sprint(s.Count), fmt.Sprintf("%.1f", rate),
			ms(s.P50), ms(s.P95), ms(s.P99), ms(s.Max), fmt.Sprint(s.Errors)})
	}
	writeMarkdown(w, rows)
}

// writeMarkdown prints rows as a Markdown table with aligned columns: the first row is the
// header, the first column is left-aligned and the others right-aligned.
func writeMarkdown(w io.Writer, rows [][]string) {
	if len(rows) == 0 {
		return
	}
	width := make([]int, len(rows[0]))
	for _, r := range rows {
		for i, c := range r {
			width[i] = max(width[i], len(c), 3)
		}
	}
	line := func(cells []string) {
		var b strings.Builder
		for i, c := range cells {
			if i == 0 {
				fmt.Fprintf(&b, "| %-*s ", width[i], c)
			} else {
				fmt.Fprintf(&b, "| %*s ", width[i], c)
			}
		}
		fmt.Fprintln(w, b.String()+"|")
	}
	line(rows[0])
	sep := make([]string, len(width))
	for i, n := range width {
		if i == 0 {
			sep[i] = strings.Repeat("-", n)
		} else {
			sep[i] = strings.Repeat("-", n-1) + ":"
		}
	}
	line(sep)
	for _, r := range rows[1:] {
		line(r)
	}
}
