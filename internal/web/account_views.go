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

type dashboardView struct {
	Email    string
	Verified bool
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
}

type shopsView struct {
	Shops  []shopRow
	Flash  string
	Errors formErrors
}
