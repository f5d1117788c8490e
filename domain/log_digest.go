package domain

import (
	"context"
	"fmt"
	"sync"

	"tftsr/domain/digest"
)

// DigestTextBytes bounds the text of a log that its digest reads.
const DigestTextBytes = 32 << 20

// maxCachedDigests bounds the digests a LogService keeps.
const maxCachedDigests = 32

// LogDigest is the template digest of a log as it leaves the portal (redacted, or with every
// detected value replaced before review), of at most DigestTextBytes of its text.
type LogDigest struct {
	digest.Digest
	// Truncated says the log is longer than what was read.
	Truncated bool
}

// digestMemo keeps recent digests. A log's text never changes and its redacted text only once,
// when redactions are applied; the key holds both hashes, so an entry is never stale.
type digestMemo struct {
	mu      sync.Mutex
	entries map[string]LogDigest
	order   []string
}

// Digest returns the template digest of a log, mined once and then kept while the log's text
// stays the same: a log's page asks for it on every view. The caller needs to be allowed to read
// the log.
func (s *LogService) Digest(ctx context.Context, id string) (LogDigest, error) {
	l, err := s.FindLog(ctx, id)
	if err != nil {
		return LogDigest{}, err
	}
	key := fmt.Sprintf("%s|%s|%t|%s", l.ID, l.ContentHash, l.Redacted, l.RedactedHash)
	memo := s.digestMemo()
	memo.mu.Lock()
	d, ok := memo.entries[key]
	memo.mu.Unlock()
	if ok {
		return d, nil
	}
	text, err := s.Gate().Log(ctx, l.ID, DigestTextBytes)
	if err != nil {
		return LogDigest{}, err
	}
	m := digest.NewMiner()
	m.Write([]byte(text.String()))
	d = LogDigest{Digest: m.Digest(), Truncated: text.Truncated()}
	memo.mu.Lock()
	if _, ok := memo.entries[key]; !ok {
		memo.entries[key] = d
		memo.order = append(memo.order, key)
		for len(memo.order) > maxCachedDigests {
			delete(memo.entries, memo.order[0])
			memo.order = memo.order[1:]
		}
	}
	memo.mu.Unlock()
	return d, nil
}

func (s *LogService) digestMemo() *digestMemo {
	s.memoOnce.Do(func() { s.memo = &digestMemo{entries: map[string]LogDigest{}} })
	return s.memo
}
