package db

import (
	"time"

	"github.com/alexedwards/scs/pgxstore"
	"github.com/alexedwards/scs/v2"
)

// SessionStore keeps the sessions of signed-in users in the sessions table (scs's Postgres
// store), reporting a database that cannot be reached as EUNAVAILABLE like every other query of
// the portal, so that a request during an outage is answered 503 rather than 500.
type SessionStore struct {
	store *pgxstore.PostgresStore
}

var _ scs.IterableStore = (*SessionStore)(nil)

// NewSessionStore returns the session store on db; expired sessions are deleted every cleanup.
// Its cleanup goroutine lives as long as the process: pgxstore creates its stop channel on that
// goroutine, so stopping it races with it.
func NewSessionStore(db *DB, cleanup time.Duration) *SessionStore {
	return &SessionStore{store: pgxstore.NewWithCleanupInterval(db.Pool, cleanup)}
}

// Find implements scs.Store.
func (s *SessionStore) Find(token string) ([]byte, bool, error) {
	b, found, err := s.store.Find(token)
	return b, found, unavailable(err)
}

// Commit implements scs.Store.
func (s *SessionStore) Commit(token string, b []byte, expiry time.Time) error {
	return unavailable(s.store.Commit(token, b, expiry))
}

// Delete implements scs.Store.
func (s *SessionStore) Delete(token string) error {
	return unavailable(s.store.Delete(token))
}

// All implements scs.IterableStore.
func (s *SessionStore) All() (map[string][]byte, error) {
	m, err := s.store.All()
	return m, unavailable(err)
}
