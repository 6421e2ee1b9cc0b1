package web

import "time"

// formErrors holds a form's problems: one message per field name, and one for the form as a whole.
type formErrors struct {
	Fields map[string]string
	Form   string
}

// Has reports whether field has an error (templates use it for aria-invalid).
func (e formErrors) Has(field string) bool { _, ok := e.Fields[field]; return ok }

// For returns field's error message, or "".
func (e formErrors) For(field string) string { return e.Fields[field] }

type signupView struct {
	Email  string
	Errors formErrors
}

type loginView struct {
	Email  string
	Next   string // a local path to open after signing in, or ""
	Errors formErrors
}

// checkEmailView follows sign-up and password-reset requests; it says the same whether or not the address has an
// account.
type checkEmailView struct {
	Email   string
	Purpose string // "verify" or "reset"
}

type forgotView struct {
	Email  string
	Errors formErrors
}

type resetView struct {
	UserID string
	Token  string
	Errors formErrors
}

// noticeView is a one-message page (email confirmed, link expired, ...), with a link or a one-button form.
type noticeView struct {
	Heading  string
	Message  string
	LinkHref string
	LinkText string
	Form     noticeForm
}

// noticeForm is a POST form of hidden fields and one button; no Action means no form.
type noticeForm struct {
	Action string
	Button string
	Fields map[string]string
}

type sessionItem struct {
	ID        string // hex of the session's id hash: what the revoke form posts
	Current   bool
	UserAgent string
	IPHint    string
	CreatedAt time.Time
	LastSeen  time.Time
}

type securityView struct {
	Email       string
	Verified    bool
	Sessions    []sessionItem
	RecentAuth  bool   // signed in (or re-entered the password) within the last 15 minutes
	Flash       string // the outcome of the last action, e.g. "Password changed."
	Errors      formErrors
	ChangeEmail string // the new address typed into the change-email form, kept on error
}

type reauthView struct {
	Next   string // a local path to return to
	Errors formErrors
}

type shopRow struct {
	ShopID        string
	Name          string
	Region        string
	GrantID       int64
	Revoked       bool
	ConnectedAt   time.Time
	RevokedAt     *time.Time
	ReconnectBy   *time.Time
	DataAsOf      *time.Time
	MissingScopes []string
	Sync          shopSync
}

type shopsView struct {
	Shops   []shopRow
	Flash   string
	Errors  formErrors
	CanSync bool // Sync now is offered
	Running bool // a sync runs: the page polls for progress every 2 s
}

// syncStatusView is the JSON Settings -> Shops polls: the figures the page shows, for every shop.
type syncStatusView struct {
	Running bool       `json:"running"`
	Shops   []shopSync `json:"shops"`
}

// shopSync is the sync state of one shop's resources. The *Text fields are written out as the page shows them, so
// the page's script only copies them in.
type shopSync struct {
	ShopID  string `json:"shop_id"`
	Running bool   `json:"running"`
	Summary string `json:"summary"`
	// ProfitNote names the orders whose profit could not be worked out (rollup: refusal), "" when there are none.
	ProfitNote string         `json:"profit_note"`
	Resources  []resourceSync `json:"resources"`
}

// resourceSync is one resource of a shop: its latest run and its last successful read.
type resourceSync struct {
	Resource        string     `json:"resource"`
	Label           string     `json:"label"`
	State           string     `json:"state"` // waiting (no run yet), running, succeeded, failed, revoked, paused
	Running         bool       `json:"running"`
	StatusText      string     `json:"status_text"`
	PagesDone       int32      `json:"pages_done"`
	PagesExpected   int32      `json:"pages_expected"` // 0: unknown
	ProgressKnown   bool       `json:"progress_known"` // false: an indeterminate bar (how many pages remain is unknown)
	ProgressMax     int32      `json:"progress_max"`
	ProgressText    string     `json:"progress_text"`
	Records         int32      `json:"records"`
	Written         int32      `json:"written"`
	Malformed       int32      `json:"malformed"` // records kept aside, unreadable
	RowsText        string     `json:"rows_text"`
	MalformedText   string     `json:"malformed_text"`
	Error           string     `json:"error"` // the latest run's failure, a sentence fit to show
	LastSuccessAt   *time.Time `json:"last_success_at"`
	LastSuccessAgo  string     `json:"last_success_ago"`
	LastSuccessText string     `json:"last_success_text"`
}
