package digest

import "bytes"

// Level is the severity of a line or template.
type Level string

// The severities, from the most to the least relevant.
const (
	LevelError Level = "error"
	LevelWarn  Level = "warn"
	LevelInfo  Level = "info"
)

// rank orders levels: 0 for errors, 1 for warnings, 2 for the rest.
func (l Level) rank() int {
	switch l {
	case LevelError:
		return 0
	case LevelWarn:
		return 1
	}
	return 2
}

// worse returns the more severe of l and o.
func (l Level) worse(o Level) Level {
	if o.rank() < l.rank() {
		return o
	}
	return l
}

// wordLevel classifies one whitespace-separated word by the severity keywords it is or
// holds: ERROR, FATAL, panic:, level=error, NullPointerException and the like.
func wordLevel(w []byte) Level {
	if k := bytes.IndexByte(w, '='); k > 0 {
		key := trimPunct(w[:k])
		for _, name := range []string{"level", "lvl", "severity", "loglevel"} {
			if bytes.EqualFold(key, []byte(name)) {
				return valueLevel(trimPunct(w[k+1:]))
			}
		}
		return LevelInfo
	}
	t := trimPunct(w)
	if len(t) == 0 {
		return LevelInfo
	}
	if l := keywordLevel(t); l != LevelInfo {
		return l
	}
	if w[len(w)-1] == ':' {
		// A lower-case "error:" or "warning:" prefix.
		switch string(t) {
		case "error", "fatal", "panic":
			return LevelError
		case "warn", "warning":
			return LevelWarn
		}
	}
	if len(t) > 9 && t[0] != '<' && (bytes.HasSuffix(t, []byte("Exception")) || (bytes.HasSuffix(t, []byte("Error")) && bytes.IndexByte(t, '.') > 0)) {
		return LevelError
	}
	return LevelInfo
}

// valueLevel classifies the value of a level=... field, in any case.
func valueLevel(v []byte) Level {
	for _, name := range []string{"ERROR", "ERR", "FATAL", "CRITICAL", "CRIT", "PANIC", "E"} {
		if bytes.EqualFold(v, []byte(name)) {
			return LevelError
		}
	}
	for _, name := range []string{"WARN", "WARNING", "W"} {
		if bytes.EqualFold(v, []byte(name)) {
			return LevelWarn
		}
	}
	return LevelInfo
}

// keywordLevel classifies an upper-case severity keyword.
func keywordLevel(t []byte) Level {
	switch string(t) {
	case "ERROR", "ERR", "FATAL", "CRITICAL", "CRIT", "SEVERE", "EMERG", "ALERT", "PANIC":
		return LevelError
	case "WARN", "WARNING":
		return LevelWarn
	}
	return LevelInfo
}

// trimPunct cuts the brackets and punctuation around a word: "[ERROR]:" gives "ERROR".
func trimPunct(w []byte) []byte {
	s, e := 0, len(w)
	for s < e && isOpen(w[s]) {
		s++
	}
	for e > s && isClose(w[e-1]) {
		e--
	}
	return w[s:e]
}

func isOpen(c byte) bool { return c == '[' || c == '(' || c == '{' || c == '<' }

func isClose(c byte) bool {
	switch c {
	case ']', ')', '}', '>', ',', ';', ':', '.', '!':
		return true
	}
	return false
}
