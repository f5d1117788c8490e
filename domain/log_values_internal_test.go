package domain

import (
	"bytes"
	"compress/gzip"
	"context"
	"io"
	"strings"
	"testing"
	"time"
)

// oneObject is a blob store holding one gzip object, for reading stretches of a text.
type oneObject struct{ gz []byte }

func (o oneObject) Put(context.Context, string, io.Reader, int64, string) error { return nil }
func (o oneObject) Get(context.Context, string) (io.ReadCloser, error) {
	return io.NopCloser(bytes.NewReader(o.gz)), nil
}
func (o oneObject) Delete(context.Context, ...string) error    { return nil }
func (o oneObject) DeletePrefix(context.Context, string) error { return nil }
func (o oneObject) List(context.Context, string, time.Time, func(string) error) error {
	return nil
}

func TestReadRanges(t *testing.T) {
	text := strings.Repeat("0123456789", 20_000) // 200 KB, past the reader's buffers
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write([]byte(text))
	zw.Close()
	s := &LogService{blobs: oneObject{gz.Bytes()}}
	ranges := []TextRange{{150_000, 150_004}, {0, 3}, {2, 6}, {199_995, 200_010}, {250_000, 250_005}, {2, 6}, {70_000, 70_002}}
	got, err := s.readRanges(context.Background(), "k", ranges)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range ranges {
		want := ""
		if r.Start < int64(len(text)) {
			want = text[r.Start:min(r.End, int64(len(text)))]
		}
		if got[r] != want {
			t.Errorf("range %v: %q, want %q", r, got[r], want)
		}
	}
}

func TestMakeSnippet(t *testing.T) {
	long := strings.Repeat("é", 200) // two bytes a character
	cases := []struct {
		name, text string
		start, end int
		want       ValueSnippet
	}{
		{"a line", "first line\nuser bob@example.com logged in\nnext", 16, 31,
			ValueSnippet{Before: "user ", Value: "bob@example.com", After: " logged in"}},
		{"at the start", "10.0.0.5 up", 0, 8, ValueSnippet{Value: "10.0.0.5", After: " up"}},
		{"long context cut on characters", long + "X=v" + long, 400, 403,
			ValueSnippet{Before: "…" + strings.Repeat("é", 30), Value: "X=v", After: strings.Repeat("é", 30) + "…"}},
		{"long value clipped", "k=" + long + " end", 2, 402, ValueSnippet{Before: "k=", Value: strings.Repeat("é", 80) + "…"}},
	}
	for _, c := range cases {
		r := TextRange{int64(c.start), int64(c.end)}
		sr := snippetRange(r)
		read := c.text[sr.Start:min(sr.End, int64(len(c.text)))]
		got := makeSnippet(read, sr, r)
		if got != c.want {
			t.Errorf("%s: %+v, want %+v", c.name, got, c.want)
		}
	}
}
