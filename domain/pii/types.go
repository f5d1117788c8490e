package pii

// Type names a kind of sensitive value. The name is also the text of the
// replacement token, see Token.
type Type string

// The detected types, in priority order. When two candidate spans overlap the
// longer one wins; when they have the same length the type listed first wins.
const (
	PrivateKey       Type = "PrivateKey"
	ConnectionString Type = "ConnectionString"
	URLCredentials   Type = "URLCredentials"
	SlackToken       Type = "SlackToken"
	JWT              Type = "JWT"
	AWSAccessKey     Type = "AWSAccessKey"
	AWSSecretKey     Type = "AWSSecretKey"
	GitHubToken      Type = "GitHubToken"
	GitLabToken      Type = "GitLabToken"
	BearerToken      Type = "BearerToken"
	APIKey           Type = "APIKey"
	Password         Type = "Password"
	Secret           Type = "Secret"
	Email            Type = "Email"
	CreditCard       Type = "CreditCard"
	SSN              Type = "SSN"
	Phone            Type = "Phone"
	MAC              Type = "MAC"
	IPv6             Type = "IPv6"
	IPv4             Type = "IPv4"
	Hostname         Type = "Hostname"
)

// kind is the internal, compact form of a Type; its value is the priority
// (lower wins ties).
type kind uint8

// The kinds, in the same order as the types.
const (
	kPrivateKey kind = iota
	kConnectionString
	kURLCredentials
	kSlackToken
	kJWT
	kAWSAccessKey
	kAWSSecretKey
	kGitHubToken
	kGitLabToken
	kBearerToken
	kAPIKey
	kPassword
	kSecret
	kEmail
	kCreditCard
	kSSN
	kPhone
	kMAC
	kIPv6
	kIPv4
	kHostname
	numKinds
)

// kindTypes maps each kind to its public Type.
var kindTypes = [numKinds]Type{
	PrivateKey, ConnectionString, URLCredentials, SlackToken, JWT,
	AWSAccessKey, AWSSecretKey, GitHubToken, GitLabToken, BearerToken,
	APIKey, Password, Secret, Email, CreditCard, SSN, Phone, MAC, IPv6, IPv4, Hostname,
}

// kindTokens holds the precomputed replacement token of each kind.
var kindTokens = func() (t [numKinds]string) {
	for k, typ := range kindTypes {
		t[k] = "[" + string(typ) + "]"
	}
	return t
}()

// Types returns every type the detector reports, in priority order.
func Types() []Type {
	out := make([]Type, numKinds)
	copy(out, kindTypes[:])
	return out
}

// Token returns the replacement token for t, its name in square brackets,
// for example "[Email]".
func (t Type) Token() string {
	for k, typ := range kindTypes {
		if typ == t {
			return kindTokens[k]
		}
	}
	return "[" + string(t) + "]"
}

// Valid reports whether t is one of the types returned by Types.
func (t Type) Valid() bool {
	_, ok := kindOf(t)
	return ok
}

// kindOf returns the kind of a public Type.
func kindOf(t Type) (kind, bool) {
	for k, typ := range kindTypes {
		if typ == t {
			return kind(k), true
		}
	}
	return 0, false
}

// Span is one detected value: its type and its byte offsets in the scanned
// text, End exclusive.
type Span struct {
	Type       Type
	Start, End int
}
