package domain

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// MaxRetentionDays bounds the retention settings: ten years.
const MaxRetentionDays = 3650

// RetentionInterval is how often each replica of the portal starts a retention run.
const RetentionInterval = 24 * time.Hour

// retentionBatch is how many logs or incidents one transaction of a run handles.
const retentionBatch = 100

// RetentionResult says what a retention run did.
type RetentionResult struct {
	// Ran is false when another run (another replica's, say) held the lock, and this one did
	// nothing.
	Ran bool `json:"ran"`
	// OriginalLogDays and ClosedIncidentDays are the settings the run applied (0: off).
	OriginalLogDays    int `json:"original_log_days"`
	ClosedIncidentDays int `json:"closed_incident_days"`
	// OriginalLogsDeleted counts the reviewed logs whose original text was deleted.
	OriginalLogsDeleted int `json:"original_logs_deleted"`
	// IncidentsDeleted counts the closed incidents deleted with everything they held.
	IncidentsDeleted int       `json:"incidents_deleted"`
	At               time.Time `json:"at"`
}

// Summary says the result for people.
func (r RetentionResult) Summary() string {
	if !r.Ran {
		return "Retention is already running (on this or another server); nothing was done this time."
	}
	if r.OriginalLogDays == 0 && r.ClosedIncidentDays == 0 {
		return "Retention is off: nothing is deleted."
	}
	return fmt.Sprintf("Retention ran: deleted the original text of %d %s and %d closed %s.",
		r.OriginalLogsDeleted, plural(r.OriginalLogsDeleted, "log", "logs"),
		r.IncidentsDeleted, plural(r.IncidentsDeleted, "incident", "incidents"))
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// RetentionStore persists what retention deletes.
type RetentionStore interface {
	// LockRetention takes the portal-wide retention lock without waiting; ok is false when
	// another run holds it. unlock releases it.
	LockRetention(ctx context.Context) (unlock func(), ok bool, err error)
	// DeleteOriginalLogs marks up to limit reviewed logs uploaded at or before before, whose
	// original is still kept, as having lost it, in one transaction in which remove is given
	// their original objects' keys to delete first; it returns how many it marked.
	DeleteOriginalLogs(ctx context.Context, before time.Time, limit int, remove func(keys []string) error) (int, error)
	// DeleteClosedIssues deletes up to limit incidents closed at or before before, in one
	// transaction in which remove is given their ids to delete their objects first; it returns
	// how many it deleted.
	DeleteClosedIssues(ctx context.Context, before time.Time, limit int, remove func(issueIDs []string) error) (int, error)
	// RecordRetentionRun writes the audit entry of a run.
	RecordRetentionRun(ctx context.Context, r RetentionResult) error
}

// RetentionService deletes what the retention settings say has been kept long enough: the
// original text of reviewed logs (their redacted copy stays) and incidents closed long ago.
//
// Only reviewed logs lose their original: a log nobody reviewed has no redacted copy, and its
// original is the only text there is, so it is kept however old. A run is idempotent (a second
// one finds nothing more to delete), safe with several replicas (a Postgres advisory lock lets
// one run at a time; the others do nothing), and each run that takes the lock is audited with
// its counts (a run while both rules are off does nothing and records nothing). Objects are deleted inside the transaction that changes the rows, before it
// commits: a run cut short leaves rows that the next run handles again, never a row naming an
// object that is gone.
type RetentionService struct {
	store    RetentionStore
	blobs    BlobStore
	settings SettingsService
	// Now returns the current time; time.Now when nil.
	Now func() time.Time
}

// Run applies the retention settings once. Only admins (and the portal itself) may.
func (s *RetentionService) Run(ctx context.Context) (RetentionResult, error) {
	if err := Require(ctx, RoleAdmin); err != nil {
		return RetentionResult{}, err
	}
	unlock, ok, err := s.store.LockRetention(ctx)
	if err != nil {
		return RetentionResult{}, err
	}
	if !ok {
		return RetentionResult{}, nil
	}
	defer unlock()
	set, err := s.settings.GetSettings(ctx)
	if err != nil {
		return RetentionResult{}, err
	}
	now := time.Now
	if s.Now != nil {
		now = s.Now
	}
	r := RetentionResult{Ran: true, At: now().UTC(), OriginalLogDays: set.RetentionOriginalLogDays, ClosedIncidentDays: set.RetentionClosedIncidentDays}
	if r.OriginalLogDays == 0 && r.ClosedIncidentDays == 0 {
		return r, nil // off: nothing to do, and nothing to audit
	}
	var runErr error
	if days := r.OriginalLogDays; days > 0 {
		before := r.At.Add(-time.Duration(days) * 24 * time.Hour)
		runErr = batches(func() (int, error) {
			return s.store.DeleteOriginalLogs(ctx, before, retentionBatch, func(keys []string) error {
				return s.blobs.Delete(ctx, keys...)
			})
		}, &r.OriginalLogsDeleted)
	}
	if days := r.ClosedIncidentDays; days > 0 && runErr == nil {
		before := r.At.Add(-time.Duration(days) * 24 * time.Hour)
		runErr = batches(func() (int, error) {
			return s.store.DeleteClosedIssues(ctx, before, retentionBatch, func(ids []string) error {
				for _, id := range ids {
					for _, prefix := range IssueObjectPrefixes(id) {
						if err := s.blobs.DeletePrefix(ctx, prefix); err != nil {
							return err
						}
					}
				}
				return nil
			})
		}, &r.IncidentsDeleted)
	}
	// What was deleted before a failure is audited too.
	if err := s.store.RecordRetentionRun(context.WithoutCancel(ctx), r); err != nil && runErr == nil {
		runErr = err
	}
	return r, runErr
}

// batches calls next until it handles fewer than a whole batch, adding up the counts.
func batches(next func() (int, error), total *int) error {
	for {
		n, err := next()
		*total += n
		if err != nil {
			return err
		}
		if n < retentionBatch {
			return nil
		}
	}
}

// retentionDaysMessage is what a bad retention setting is told.
var retentionDaysMessage = fmt.Sprintf("Enter a number of days from 1 to %d, or leave it empty to keep everything.", MaxRetentionDays)

// ParseRetentionDays reads a retention setting as typed: empty is 0 (off), otherwise a whole
// number of days from 1 to MaxRetentionDays. For anything else it returns the message to show.
func ParseRetentionDays(s string) (int, string) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, ""
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 || n > MaxRetentionDays {
		return 0, retentionDaysMessage
	}
	return n, ""
}
