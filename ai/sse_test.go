package ai

import (
	"errors"
	"io"
	"strings"
	"testing"
)

func TestSSEReaderFramesEvents(t *testing.T) {
	stream := ": comment\r\n" +
		"event: message_start\r\ndata: {\"a\":1}\r\n\r\n" +
		"data: line one\ndata: line two\n\n" +
		"\n\n" +
		"event: ping\nid: 7\nretry: 10\ndata:no space\r\r" +
		"event: lonely\n\n" +
		"data: last without blank line"
	r := newSSEReader(strings.NewReader(stream))
	want := []sseEvent{
		{event: "message_start", data: []byte(`{"a":1}`)},
		{data: []byte("line one\nline two")},
		{event: "ping", data: []byte("no space")},
		{data: []byte("last without blank line")},
	}
	for i, w := range want {
		got, err := r.next()
		if err != nil {
			t.Fatalf("event %d: %v", i, err)
		}
		if got.event != w.event || string(got.data) != string(w.data) {
			t.Errorf("event %d = %q %q, want %q %q", i, got.event, got.data, w.event, w.data)
		}
	}
	if _, err := r.next(); !errors.Is(err, io.EOF) {
		t.Errorf("after the last event err = %v, want io.EOF", err)
	}
}

func TestLineReaderRejectsHugeLines(t *testing.T) {
	r := newLineReader(strings.NewReader(strings.Repeat("x", maxLine+1) + "\n"))
	if _, err := r.next(); !errors.Is(err, errLineTooLong) {
		t.Errorf("err = %v, want errLineTooLong", err)
	}
}
