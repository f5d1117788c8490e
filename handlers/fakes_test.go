package handlers_test

import (
	"context"

	"tftsr/domain"
)

// notImplemented is what a fake answers for a method the test did not set.
func notImplemented() error {
	return domain.Errorf(domain.EINTERNAL, "not implemented in fake")
}

// Compile-time checks that the fakes implement the ports.
var (
	_ domain.UserService     = (*fakeUsers)(nil)
	_ domain.AuditService    = (*fakeAudit)(nil)
	_ domain.SettingsService = (*fakeSettings)(nil)
	_ domain.IssueService    = (*fakeIssues)(nil)
)

// fakeUsers is a domain.UserService whose methods call the function fields a test sets.
type fakeUsers struct {
	AuthenticateFn       func(ctx context.Context, username, password, remoteAddr string) (*domain.User, error)
	AuthenticateTokenFn  func(ctx context.Context, token string) (*domain.User, *domain.APIToken, error)
	FindUserByIDFn       func(ctx context.Context, id string) (*domain.User, error)
	FindUserByUsernameFn func(ctx context.Context, username string) (*domain.User, error)
	FindUsersFn          func(ctx context.Context) ([]*domain.User, error)
	CreateUserFn         func(ctx context.Context, u domain.NewUser) (*domain.User, error)
	UpdateUserFn         func(ctx context.Context, id string, upd domain.UserUpdate) (*domain.User, error)
	SetPasswordFn        func(ctx context.Context, id, password string) error
	ChangeOwnPasswordFn  func(ctx context.Context, current, next string) error
	EnsureAdminFn        func(ctx context.Context, username, password string) (bool, error)
	CreateTokenFn        func(ctx context.Context, userID string, nt domain.NewToken) (string, *domain.APIToken, error)
	FindTokensFn         func(ctx context.Context, userID string) ([]*domain.APIToken, error)
	RevokeTokenFn        func(ctx context.Context, id string) error
}

func (f *fakeUsers) Authenticate(ctx context.Context, username, password, remoteAddr string) (*domain.User, error) {
	if f.AuthenticateFn == nil {
		return nil, notImplemented()
	}
	return f.AuthenticateFn(ctx, username, password, remoteAddr)
}

func (f *fakeUsers) AuthenticateToken(ctx context.Context, token string) (*domain.User, *domain.APIToken, error) {
	if f.AuthenticateTokenFn == nil {
		return nil, nil, notImplemented()
	}
	return f.AuthenticateTokenFn(ctx, token)
}

func (f *fakeUsers) FindUserByID(ctx context.Context, id string) (*domain.User, error) {
	if f.FindUserByIDFn == nil {
		return nil, notImplemented()
	}
	return f.FindUserByIDFn(ctx, id)
}

func (f *fakeUsers) FindUserByUsername(ctx context.Context, username string) (*domain.User, error) {
	if f.FindUserByUsernameFn == nil {
		return nil, notImplemented()
	}
	return f.FindUserByUsernameFn(ctx, username)
}

func (f *fakeUsers) FindUsers(ctx context.Context) ([]*domain.User, error) {
	if f.FindUsersFn == nil {
		return nil, notImplemented()
	}
	return f.FindUsersFn(ctx)
}

// SearchUsers answers from FindUsersFn: the tests that fake users list them all.
func (f *fakeUsers) SearchUsers(ctx context.Context, filter domain.UserFilter) ([]*domain.User, int, error) {
	if err := domain.Require(ctx, domain.RoleAdmin); err != nil {
		return nil, 0, err
	}
	users, err := f.FindUsers(ctx)
	if err != nil {
		return nil, 0, err
	}
	return users, len(users), nil
}

func (f *fakeUsers) CreateUser(ctx context.Context, u domain.NewUser) (*domain.User, error) {
	if f.CreateUserFn == nil {
		return nil, notImplemented()
	}
	return f.CreateUserFn(ctx, u)
}

func (f *fakeUsers) UpdateUser(ctx context.Context, id string, upd domain.UserUpdate) (*domain.User, error) {
	if f.UpdateUserFn == nil {
		return nil, notImplemented()
	}
	return f.UpdateUserFn(ctx, id, upd)
}

func (f *fakeUsers) SetPassword(ctx context.Context, id, password string) error {
	if f.SetPasswordFn == nil {
		return notImplemented()
	}
	return f.SetPasswordFn(ctx, id, password)
}

func (f *fakeUsers) ChangeOwnPassword(ctx context.Context, current, next string) error {
	if f.ChangeOwnPasswordFn == nil {
		return notImplemented()
	}
	return f.ChangeOwnPasswordFn(ctx, current, next)
}

func (f *fakeUsers) EnsureAdmin(ctx context.Context, username, password string) (bool, error) {
	if f.EnsureAdminFn == nil {
		return false, notImplemented()
	}
	return f.EnsureAdminFn(ctx, username, password)
}

func (f *fakeUsers) CreateToken(ctx context.Context, userID string, nt domain.NewToken) (string, *domain.APIToken, error) {
	if f.CreateTokenFn == nil {
		return "", nil, notImplemented()
	}
	return f.CreateTokenFn(ctx, userID, nt)
}

func (f *fakeUsers) FindTokens(ctx context.Context, userID string) ([]*domain.APIToken, error) {
	if f.FindTokensFn == nil {
		return nil, notImplemented()
	}
	return f.FindTokensFn(ctx, userID)
}

func (f *fakeUsers) RevokeToken(ctx context.Context, id string) error {
	if f.RevokeTokenFn == nil {
		return notImplemented()
	}
	return f.RevokeTokenFn(ctx, id)
}

// fakeAudit is a domain.AuditService whose methods call the function fields a test sets.
type fakeAudit struct {
	FindAuditEntriesFn func(ctx context.Context, f domain.AuditFilter) ([]*domain.AuditEntry, int, error)
	VerifyAuditChainFn func(ctx context.Context) (*domain.AuditVerification, error)
	AuditFacetsFn      func(ctx context.Context) (actions, entityTypes []string, err error)
}

func (f *fakeAudit) FindAuditEntries(ctx context.Context, filter domain.AuditFilter) ([]*domain.AuditEntry, int, error) {
	if f.FindAuditEntriesFn == nil {
		return nil, 0, notImplemented()
	}
	return f.FindAuditEntriesFn(ctx, filter)
}

func (f *fakeAudit) VerifyAuditChain(ctx context.Context) (*domain.AuditVerification, error) {
	if f.VerifyAuditChainFn == nil {
		return nil, notImplemented()
	}
	return f.VerifyAuditChainFn(ctx)
}

func (f *fakeAudit) ExportAuditEntries(context.Context, domain.AuditFilter, string, func(*domain.AuditEntry) error) error {
	return notImplemented()
}

func (f *fakeAudit) AuditFacets(ctx context.Context) ([]string, []string, error) {
	if f.AuditFacetsFn == nil {
		return nil, nil, notImplemented()
	}
	return f.AuditFacetsFn(ctx)
}

// fakeSettings is a domain.SettingsService whose methods call the function fields a test sets.
type fakeSettings struct {
	GetSettingsFn    func(ctx context.Context) (domain.Settings, error)
	UpdateSettingsFn func(ctx context.Context, u domain.SettingsUpdate) (domain.Settings, error)
}

func (f *fakeSettings) GetSettings(ctx context.Context) (domain.Settings, error) {
	if f.GetSettingsFn == nil {
		return domain.Settings{}, notImplemented()
	}
	return f.GetSettingsFn(ctx)
}

func (f *fakeSettings) UpdateSettings(ctx context.Context, u domain.SettingsUpdate) (domain.Settings, error) {
	if f.UpdateSettingsFn == nil {
		return domain.Settings{}, notImplemented()
	}
	return f.UpdateSettingsFn(ctx, u)
}

// fakeIssues is a domain.IssueService whose methods call the function fields a test sets.
type fakeIssues struct {
	CreateIssueFn        func(ctx context.Context, n domain.NewIssue) (*domain.Issue, error)
	FindIssueByIDFn      func(ctx context.Context, id string) (*domain.Issue, error)
	FindIssueDetailFn    func(ctx context.Context, id string) (*domain.IssueDetail, error)
	FindIssuePartsFn     func(ctx context.Context, id string, parts domain.IssueParts) (*domain.IssueDetail, error)
	FindIssuesFn         func(ctx context.Context, f domain.IssueFilter) ([]*domain.IssueSummary, int, error)
	SearchIssuesFn       func(ctx context.Context, query string, page, perPage int) ([]*domain.IssueSummary, int, error)
	UpdateIssueFn        func(ctx context.Context, id string, u domain.IssueUpdate) (*domain.Issue, error)
	DeleteIssueFn        func(ctx context.Context, id string) error
	DashboardFn          func(ctx context.Context) (*domain.Dashboard, error)
	AddFiveWhyFn         func(ctx context.Context, issueID string, n domain.NewFiveWhy) (*domain.FiveWhy, error)
	UpdateFiveWhyFn      func(ctx context.Context, id string, u domain.FiveWhyUpdate) (*domain.FiveWhy, error)
	FindFiveWhysFn       func(ctx context.Context, issueID string) ([]*domain.FiveWhy, error)
	AddTimelineEventFn   func(ctx context.Context, issueID string, n domain.NewTimelineEvent) (*domain.TimelineEvent, error)
	FindTimelineEventsFn func(ctx context.Context, issueID string) ([]*domain.TimelineEvent, error)
}

func (f *fakeIssues) CreateIssue(ctx context.Context, n domain.NewIssue) (*domain.Issue, error) {
	if f.CreateIssueFn == nil {
		return nil, notImplemented()
	}
	return f.CreateIssueFn(ctx, n)
}

func (f *fakeIssues) FindIssueByID(ctx context.Context, id string) (*domain.Issue, error) {
	if f.FindIssueByIDFn == nil {
		return nil, notImplemented()
	}
	return f.FindIssueByIDFn(ctx, id)
}

// ResolveIssueRef answers a uuid as it is; the fake knows no human ids.
func (f *fakeIssues) ResolveIssueRef(ctx context.Context, ref string) (string, error) {
	if _, ok := domain.ParseIssueRef(ref); ok {
		return "", domain.Errorf(domain.ENOTFOUND, "Incident not found.")
	}
	return ref, nil
}

func (f *fakeIssues) FindIssueDetail(ctx context.Context, id string) (*domain.IssueDetail, error) {
	if f.FindIssueDetailFn == nil {
		return nil, notImplemented()
	}
	return f.FindIssueDetailFn(ctx, id)
}

func (f *fakeIssues) FindIssueParts(ctx context.Context, id string, parts domain.IssueParts) (*domain.IssueDetail, error) {
	if f.FindIssuePartsFn == nil {
		return nil, notImplemented()
	}
	return f.FindIssuePartsFn(ctx, id, parts)
}

func (f *fakeIssues) FindIssues(ctx context.Context, filter domain.IssueFilter) ([]*domain.IssueSummary, int, error) {
	if f.FindIssuesFn == nil {
		return nil, 0, notImplemented()
	}
	return f.FindIssuesFn(ctx, filter)
}

func (f *fakeIssues) SearchIssues(ctx context.Context, query string, page, perPage int) ([]*domain.IssueSummary, int, error) {
	if f.SearchIssuesFn == nil {
		return nil, 0, notImplemented()
	}
	return f.SearchIssuesFn(ctx, query, page, perPage)
}

func (f *fakeIssues) UpdateIssue(ctx context.Context, id string, u domain.IssueUpdate) (*domain.Issue, error) {
	if f.UpdateIssueFn == nil {
		return nil, notImplemented()
	}
	return f.UpdateIssueFn(ctx, id, u)
}

func (f *fakeIssues) DeleteIssue(ctx context.Context, id string) error {
	if f.DeleteIssueFn == nil {
		return notImplemented()
	}
	return f.DeleteIssueFn(ctx, id)
}

func (f *fakeIssues) Dashboard(ctx context.Context) (*domain.Dashboard, error) {
	if f.DashboardFn == nil {
		return nil, notImplemented()
	}
	return f.DashboardFn(ctx)
}

func (f *fakeIssues) AddFiveWhy(ctx context.Context, issueID string, n domain.NewFiveWhy) (*domain.FiveWhy, error) {
	if f.AddFiveWhyFn == nil {
		return nil, notImplemented()
	}
	return f.AddFiveWhyFn(ctx, issueID, n)
}

func (f *fakeIssues) UpdateFiveWhy(ctx context.Context, id string, u domain.FiveWhyUpdate) (*domain.FiveWhy, error) {
	if f.UpdateFiveWhyFn == nil {
		return nil, notImplemented()
	}
	return f.UpdateFiveWhyFn(ctx, id, u)
}

func (f *fakeIssues) FindFiveWhys(ctx context.Context, issueID string) ([]*domain.FiveWhy, error) {
	if f.FindFiveWhysFn == nil {
		return nil, notImplemented()
	}
	return f.FindFiveWhysFn(ctx, issueID)
}

func (f *fakeIssues) AddTimelineEvent(ctx context.Context, issueID string, n domain.NewTimelineEvent) (*domain.TimelineEvent, error) {
	if f.AddTimelineEventFn == nil {
		return nil, notImplemented()
	}
	return f.AddTimelineEventFn(ctx, issueID, n)
}

func (f *fakeIssues) FindTimelineEvents(ctx context.Context, issueID string) ([]*domain.TimelineEvent, error) {
	if f.FindTimelineEventsFn == nil {
		return nil, notImplemented()
	}
	return f.FindTimelineEventsFn(ctx, issueID)
}
