package db_test

import (
	"context"
	"fmt"
	"os"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"tftsr/db"
	"tftsr/db/dbtest"
	"tftsr/domain"
)

func TestMain(m *testing.M) {
	code := m.Run()
	dropBenchDB()
	dbtest.Close()
	os.Exit(code)
}

// MustOpenDB returns a fresh migrated database whose clock is a testClock, closed and dropped
// when tb ends. It skips tb when TEST_DATABASE_URL is unset.
func MustOpenDB(tb testing.TB) (*db.DB, *testClock) {
	tb.Helper()
	d := dbtest.New(tb)
	clock := &testClock{t: time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)}
	d.Now = clock.Now
	return d, clock
}

// testClock is a clock that moves only when told to.
type testClock struct {
	mu sync.Mutex
	t  time.Time
}

// Now returns the clock's time.
func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

// Add moves the clock forward by d.
func (c *testClock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// services is every service over one database.
type services struct {
	DB       *db.DB
	Clock    *testClock
	Users    *db.UserService
	Issues   *db.IssueService
	Audit    *db.AuditService
	Settings *db.SettingsService
}

// MustOpenServices returns the services over a fresh database, with cheap password hashing.
func MustOpenServices(tb testing.TB) *services {
	tb.Helper()
	d, clock := MustOpenDB(tb)
	users := db.NewUserService(d)
	users.PasswordParams = db.TestPasswordParams
	return &services{
		DB:       d,
		Clock:    clock,
		Users:    users,
		Issues:   db.NewIssueService(d),
		Audit:    db.NewAuditService(d),
		Settings: db.NewSettingsService(d),
	}
}

// systemCtx is the context of command-line work.
func systemCtx() context.Context {
	return domain.NewSystemContext(context.Background(), "test")
}

// userSeq makes user names unique within a test binary.
var userSeq atomic.Int64

// testPassword is the password of every user MustCreateUser makes.
const testPassword = "correct horse battery"

// MustCreateUser creates a user with a role and returns it with a context signed in as it.
func MustCreateUser(tb testing.TB, s *services, role domain.Role) (*domain.User, context.Context) {
	tb.Helper()
	n := userSeq.Add(1)
	u, err := s.Users.CreateUser(systemCtx(), domain.NewUser{
		Username:    fmt.Sprintf("%s%d", role, n),
		DisplayName: fmt.Sprintf("Test %s %d", role, n),
		Role:        role,
		Password:    testPassword,
	})
	if err != nil {
		tb.Fatalf("create %s: %v", role, err)
	}
	return u, domain.NewContextWithUser(context.Background(), u)
}

// MustCreateIssue creates an incident as the actor of ctx.
func MustCreateIssue(tb testing.TB, s *services, ctx context.Context, n domain.NewIssue) *domain.Issue {
	tb.Helper()
	i, err := s.Issues.CreateIssue(ctx, n)
	if err != nil {
		tb.Fatalf("create incident %q: %v", n.Title, err)
	}
	return i
}

// wantCode fails tb unless err carries the domain error code want.
func wantCode(tb testing.TB, err error, want string) {
	tb.Helper()
	if got := domain.ErrorCode(err); got != want {
		tb.Fatalf("error code = %q (%v), want %q", got, err, want)
	}
}

// mustCount returns the single integer a query returns.
func mustCount(tb testing.TB, d *db.DB, query string, args ...any) int {
	tb.Helper()
	var n int
	if err := d.Pool.QueryRow(context.Background(), query, args...).Scan(&n); err != nil {
		tb.Fatalf("%s: %v", query, err)
	}
	return n
}

// ptr returns a pointer to v.
func ptr[T any](v T) *T { return &v }
