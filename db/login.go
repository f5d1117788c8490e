package db

import (
	"context"
	"fmt"
	"math"
	"net"
	"strings"
	"time"

	"tftsr/domain"
)

// Sign-in throttling, within LoginWindow:
//
//   - A user name may fail MaxLoginFailuresPerPair times from one address; after that each
//     further attempt from there waits LoginBackoff after the newest failure, doubling with every
//     failure, up to LoginWindow. Other addresses are not slowed, so nobody can lock a user
//     (admin included) out by failing on purpose.
//   - An address may fail MaxLoginFailuresPerAddr times over all user names; further attempts
//     from it are refused until the oldest failures age out of the window.
//
// A refused attempt, even with the right password, is not a failure and extends nothing.
const (
	LoginWindow             = 15 * time.Minute
	LoginBackoff            = 30 * time.Second
	MaxLoginFailuresPerPair = 5
	MaxLoginFailuresPerAddr = 20
)

// errBadCredentials is the one answer to a wrong user name, a wrong password and a disabled
// account, so that a caller cannot tell them apart.
var errBadCredentials = domain.Errorf(domain.EUNAUTHORIZED, "Invalid user name or password.")

// Authenticate checks a user name and password and returns the user.
//
// Every attempt is first recorded as a failure, under a lock per user name and per address, so
// that concurrent guesses are counted exactly; a successful attempt then clears the user name's
// failures and records session.login in the audit log. Failed attempts are not audited: anyone
// could fill the chain with them. An unknown user name costs as much hashing as a known one.
func (s *UserService) Authenticate(ctx context.Context, username, password, remoteAddr string) (*domain.User, error) {
	name := sanitiseText(username, 4*domain.MaxUsernameLen)
	addr := loginAddr(remoteAddr)

	// Count recent failures and record this attempt as one.
	tx, err := s.db.BeginTx(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback(ctx)
	if retry, err := checkLoginThrottle(ctx, tx, name, addr); err != nil {
		return nil, err
	} else if retry > 0 {
		minutes := int(math.Ceil(retry.Minutes()))
		return nil, domain.Errorf(domain.EUNAVAILABLE, "Too many failed sign-ins. Try again in %d %s.",
			minutes, domain.Plural(minutes, "minute", "minutes"))
	}
	var failureID int64
	if err := tx.QueryRow(ctx, `INSERT INTO login_failures (username, addr, at) VALUES ($1, $2, $3) RETURNING id`,
		name, addr, tx.now).Scan(&failureID); err != nil {
		return nil, fmt.Errorf("record sign-in attempt: %w", err)
	}
	u, stored, err := findUserByUsername(ctx, tx, name)
	if err != nil && domain.ErrorCode(err) != domain.ENOTFOUND {
		return nil, err
	}
	if err := tx.Commit(ctx); err != nil {
		return nil, fmt.Errorf("record sign-in attempt: %w", err)
	}

	// Check the password outside any transaction.
	if u == nil {
		if err := s.withHashSlot(ctx, func() { dummyPasswordWork(password, s.PasswordParams) }); err != nil {
			return nil, err
		}
		return nil, errBadCredentials
	}
	ok, err := s.verify(ctx, password, stored)
	if err != nil {
		return nil, fmt.Errorf("check password of %s: %w", u.Username, err)
	}
	if !ok || u.Disabled {
		return nil, errBadCredentials
	}

	// Clear the failures and audit the sign-in as the user.
	tx, err = s.db.BeginTx(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback(ctx)
	if _, err := tx.Exec(ctx, `DELETE FROM login_failures WHERE lower(username) = lower($1) OR id = $2 OR at < $3`,
		u.Username, failureID, tx.now.Add(-LoginWindow)); err != nil {
		return nil, fmt.Errorf("clear sign-in failures: %w", err)
	}
	if _, err := tx.Exec(ctx, `UPDATE users SET last_login_at = $2 WHERE id = $1`, u.ID, tx.now); err != nil {
		return nil, fmt.Errorf("record sign-in: %w", err)
	}
	at := tx.now
	u.LastLoginAt = &at
	actx := domain.NewContextWithUser(ctx, u)
	if err := appendAudit(actx, tx, "session.login", "user", u.ID, map[string]any{"addr": addr}); err != nil {
		return nil, err
	}
	if err := tx.Commit(ctx); err != nil {
		return nil, fmt.Errorf("record sign-in: %w", err)
	}
	return u, nil
}

// checkLoginThrottle returns how long sign-ins for name or from addr must wait, 0 when they may
// go ahead. It locks the name and the address until tx ends, name first so that no two attempts
// can wait on each other.
func checkLoginThrottle(ctx context.Context, tx *Tx, name, addr string) (time.Duration, error) {
	if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock(hashtextextended('login-name:' || lower($1), 0))`, name); err != nil {
		return 0, fmt.Errorf("lock sign-in name: %w", err)
	}
	if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock(hashtextextended('login-addr:' || $1, 0))`, addr); err != nil {
		return 0, fmt.Errorf("lock sign-in address: %w", err)
	}
	since := tx.now.Add(-LoginWindow)
	var wait time.Duration
	// The pair: back off exponentially after the free failures.
	var n int
	var newest *time.Time
	if err := tx.QueryRow(ctx, `SELECT count(*), max(at) FROM login_failures
		WHERE lower(username) = lower($1) AND addr = $2 AND at > $3`, name, addr, since).Scan(&n, &newest); err != nil {
		return 0, fmt.Errorf("count sign-in failures: %w", err)
	}
	if n >= MaxLoginFailuresPerPair && newest != nil {
		wait = newest.Add(loginBackoff(n)).Sub(tx.now)
	}
	// The address: the limit-th newest failure is the one whose ageing out lets it try again.
	var at *time.Time
	err := tx.QueryRow(ctx, `SELECT at FROM login_failures WHERE addr = $1 AND at > $2
		ORDER BY at DESC OFFSET $3 LIMIT 1`, addr, since, MaxLoginFailuresPerAddr-1).Scan(&at)
	if err != nil && domain.ErrorCode(formatError(err)) != domain.ENOTFOUND {
		return 0, fmt.Errorf("count sign-in failures: %w", err)
	}
	if at != nil {
		wait = max(wait, at.Add(LoginWindow).Sub(tx.now))
	}
	return max(wait, 0), nil
}

// loginBackoff is the wait after the newest of n failures of one user name from one address:
// LoginBackoff once the free failures are used, doubling with each further one, at most
// LoginWindow.
func loginBackoff(n int) time.Duration {
	d := LoginBackoff
	for i := MaxLoginFailuresPerPair; i < n && d < LoginWindow; i++ {
		d *= 2
	}
	return min(d, LoginWindow)
}

// loginAddr returns the host part of a remote address, bounded for storage.
func loginAddr(remoteAddr string) string {
	addr := strings.TrimSpace(remoteAddr)
	if host, _, err := net.SplitHostPort(addr); err == nil {
		addr = host
	}
	if addr == "" {
		addr = "unknown"
	}
	return sanitiseText(addr, 100)
}
