package doctor

import (
	"time"
)

// ReportSchema is the version of the report's JSON; a reader refuses
// another.
const ReportSchema = 1

// Report is everything a run found: the checks with their verdicts and the
// facts behind them. As JSON (Redacted, then WriteReport) it is the bug
// report docs/doctor.md describes; it never holds a token, a salt, a SAS
// query or an upload URL.
type Report struct {
	Schema  int       `json:"schema"`
	Edmtop  Build     `json:"edmtop"`
	At      time.Time `json:"at"`
	Timeout string    `json:"timeout"`
	// Names is "placeholders" (store-1, file-1, …) or "included".
	Names string `json:"names"`
	// Exit is the exit status: 0 everything edmtop needs works, 1 not.
	Exit    int          `json:"exit"`
	Summary Summary      `json:"summary"`
	Checks  []Check      `json:"checks"`
	Config  Config       `json:"configuration"`
	SignIn  SignInFacts  `json:"signIn"`
	Reach   ReachFacts   `json:"reach"`
	Access  AccessFacts  `json:"access"`
	Service ServiceFacts `json:"service"`
	Shape   Shape        `json:"shape"`

	// names are the tenant's names and ids seen, for Redacted.
	names *namer
}

// Summary counts the checks by verdict.
type Summary struct {
	OK       int  `json:"ok"`
	Warn     int  `json:"warn"`
	Fail     int  `json:"fail"`
	Skip     int  `json:"skip"`
	NotRun   int  `json:"notRun"`
	TimedOut bool `json:"timedOut"`
	// Interrupted: the run was stopped (Ctrl+C) before every check ran.
	Interrupted bool `json:"interrupted"`
}

// Config is `config show`'s data: the file and each setting with its
// source, secrets masked. The caller fills it; Error is set when the
// settings could not be read.
type Config struct {
	File  string `json:"file"`
	Found bool   `json:"found"`
	// Mode is the file's permission bits ("0600") when found.
	Mode     string    `json:"mode,omitempty"`
	Error    string    `json:"error,omitempty"`
	Settings []Setting `json:"settings"`
}

// Setting is one row of `config show`.
type Setting struct {
	Name   string `json:"name"`
	Value  string `json:"value"`
	Source string `json:"source"`
}

// SignInFacts are how edmtop signs in and what the token says.
type SignInFacts struct {
	Mode       string      `json:"mode"`
	Effective  string      `json:"effective,omitempty"`
	Why        string      `json:"why,omitempty"`
	Credential string      `json:"credential,omitempty"`
	Cloud      string      `json:"cloud"`
	Authority  string      `json:"authority"`
	Endpoint   string      `json:"endpoint"`
	Scope      string      `json:"scope"`
	SignedIn   bool        `json:"signedIn"`
	Error      string      `json:"error,omitempty"`
	Token      *TokenFacts `json:"token,omitempty"`
}

// TokenFacts are the token's claims, read without verification; never
// the token.
type TokenFacts struct {
	JWT bool `json:"jwt"`
	// Kind is "user", "app" or "unknown".
	Kind            string     `json:"kind"`
	Tenant          string     `json:"tenant,omitempty"`
	Account         string     `json:"account,omitempty"`
	App             string     `json:"app,omitempty"`
	Audience        string     `json:"audience,omitempty"`
	AudienceMatches *bool      `json:"audienceMatches,omitempty"`
	Scopes          []string   `json:"scopes,omitempty"`
	Roles           []string   `json:"roles,omitempty"`
	Expires         *time.Time `json:"expires,omitempty"`
}

// ReachFacts are the network path to Graph and the sign-in service.
type ReachFacts struct {
	Proxy ProxyFacts  `json:"proxy"`
	Hosts []HostFacts `json:"hosts"`
	// HTTP is the endpoint's answer to a request without a token.
	HTTP *Layer `json:"http,omitempty"`
	// ClockSkewSeconds is the service's Date minus this machine's clock.
	ClockSkewSeconds *float64 `json:"clockSkewSeconds,omitempty"`
}

// ProxyFacts are the proxy variables (without user info) and the proxy
// each host is reached through.
type ProxyFacts struct {
	HTTPSProxy string `json:"httpsProxy,omitempty"`
	HTTPProxy  string `json:"httpProxy,omitempty"`
	NoProxy    string `json:"noProxy,omitempty"`
}

// HostFacts are one host's DNS, TCP and TLS steps.
type HostFacts struct {
	// Role is "graph" or "authority".
	Role string `json:"role"`
	Host string `json:"host"`
	Port string `json:"port"`
	// Via is the proxy the host is reached through, when one is.
	Via string `json:"via,omitempty"`
	DNS *Layer `json:"dns,omitempty"`
	TCP *Layer `json:"tcp,omitempty"`
	TLS *Layer `json:"tls,omitempty"`
	// Skipped says why the host was not tried.
	Skipped string `json:"skipped,omitempty"`
}

// Layer is one step of reaching a host.
type Layer struct {
	OK     bool    `json:"ok"`
	Ms     float64 `json:"ms"`
	Detail string  `json:"detail,omitempty"`
	Error  string  `json:"error,omitempty"`
	// Status is the HTTP status (the HTTP layer).
	Status int `json:"status,omitempty"`
}

// AccessFacts are what the account could read.
type AccessFacts struct {
	// StoresListed is nil when the listing failed.
	StoresListed *int         `json:"storesListed"`
	ListStatus   int          `json:"listStatus,omitempty"`
	ListError    string       `json:"listError,omitempty"`
	Stores       []StoreFacts `json:"stores"`
	UploadAgent  *Layer       `json:"uploadAgent,omitempty"`
}

// StoreFacts are one data store's sessions as read.
type StoreFacts struct {
	Name string `json:"name"`
	ID   string `json:"id"`
	// Status is the first page's HTTP status, 0 when none came.
	Status    int    `json:"status"`
	Error     string `json:"error,omitempty"`
	FirstPage int    `json:"firstPage"`
	Pages     int    `json:"pages"`
	Sessions  int    `json:"sessions"`
	// Complete: every page was read.
	Complete bool `json:"complete"`
	// Skipped counts entries that were not sessions with an id.
	Skipped int            `json:"skipped"`
	States  map[string]int `json:"states"`
	// Count is sessions/$count's answer; CountStatus its HTTP status when
	// it did not answer one.
	Count       *int   `json:"count,omitempty"`
	CountStatus int    `json:"countStatus,omitempty"`
	CountError  string `json:"countError,omitempty"`
	// PageError is why a later page could not be read.
	PageError string `json:"pageError,omitempty"`

	nulls        map[string]int
	nextLinks    int
	nextRefused  string
	sessionIDs   []string
	fileNames    []string
	agentIDs     []string
	agentSession string
	firstHadNext bool
}

// ServiceFacts are what the service does: the facts edmtop adapts to.
type ServiceFacts struct {
	// Count is "yes", "no" (refused: edmtop lists instead) or "unknown".
	Count       string `json:"count"`
	CountStatus int    `json:"countStatus,omitempty"`
	// Top is "honoured", "ignored" or "unknown"; TopGot what $top=1 gave.
	Top    string `json:"top"`
	TopGot *int   `json:"topGot,omitempty"`
	// PageSize is the service's page length, 0 when no store had a
	// second page; PageSizeAtLeast is the longest page seen then.
	PageSize        int            `json:"pageSize"`
	PageSizeAtLeast int            `json:"pageSizeAtLeast,omitempty"`
	NextLinks       NextLinkFacts  `json:"nextLinks"`
	Sessions        int            `json:"sessions"`
	States          map[string]int `json:"states"`
	// Nulls counts, per session property, the sessions where it was null
	// or missing.
	Nulls      map[string]int  `json:"nulls"`
	Throttling ThrottlingFacts `json:"throttling"`
	Latency    LatencyFacts    `json:"latency"`
}

// NextLinkFacts count the next links seen and followed.
type NextLinkFacts struct {
	Seen     int    `json:"seen"`
	Followed int    `json:"followed"`
	Refused  string `json:"refused,omitempty"`
}

// ThrottlingFacts are the refusals and waits the service asked for.
type ThrottlingFacts struct {
	Status429  int      `json:"status429"`
	Status503  int      `json:"status503"`
	RetryAfter []string `json:"retryAfter,omitempty"`
	// Headers are the names of throttling headers seen (values vary).
	Headers []string `json:"headers,omitempty"`
}

// LatencyFacts are the Graph response times (to the response headers).
type LatencyFacts struct {
	Requests int     `json:"requests"`
	P50Ms    float64 `json:"p50Ms"`
	MaxMs    float64 `json:"maxMs"`
}

// Shape is the outline of the tenant, what `edmtop simulate
// --from-report` serves: the stores with their sessions by state, the page
// size, whether $count answers, the typical response time.
type Shape struct {
	Stores        []ShapeStore `json:"stores"`
	PageSize      int          `json:"pageSize"`
	Count         bool         `json:"count"`
	LatencyMs     float64      `json:"latencyMs"`
	ListForbidden bool         `json:"listForbidden"`
}

// ShapeStore is one store of a Shape.
type ShapeStore struct {
	Name      string       `json:"name"`
	Forbidden bool         `json:"forbidden"`
	Sessions  int          `json:"sessions"`
	States    []StateCount `json:"states"`
}

// StateCount is how many sessions were in one state.
type StateCount struct {
	State string `json:"state"`
	Count int    `json:"count"`
}
