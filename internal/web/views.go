package web

import (
	"bytes"
	"fmt"
	"html/template"
	"io/fs"
	"reflect"
	"sync"
)

// Page is what every template sees: the page's own typed view in Data, and what the layout needs.
type Page struct {
	Title     string
	Nonce     string // the CSP nonce of this response
	CSRFToken string
	RequestID string
	SignedIn  bool
	Data      any
}

// pageViews names every page and the type of its view; rendering a page with another type is a bug the template
// tests catch, and a page missing from templates/ stops the boot.
var pageViews = map[string]any{
	"landing":        landingView{},
	"error":          errorView{},
	"devmail":        devMailView{},
	"signup":         signupView{},
	"login":          loginView{},
	"check_email":    checkEmailView{},
	"forgot":         forgotView{},
	"reset":          resetView{},
	"notice":         noticeView{},
	"dashboard":      dashboardView{},
	"security":       securityView{},
	"reauth":         reauthView{},
	"shops":          shopsView{},
	"costs":          costsView{},
	"preferences":    preferencesView{},
	"orders":         ordersView{},
	"order":          orderView{},
	"skus":           skusView{},
	"returns":        returnsView{},
	"alert_settings": alertSettingsView{},

	// Cash flow (cashflow*.go).
	"cashflow":            cashflowView{},
	"cashflow_statements": cashStatementsView{},
	"cashflow_statement":  cashStatementView{},
	"cashflow_payouts":    cashPayoutsView{},
}

type views struct {
	pages map[string]*template.Template
}

func loadViews(fsys fs.FS, a *assets) (*views, error) {
	v := &views{pages: map[string]*template.Template{}}
	funcs := template.FuncMap{"static": a.url}
	for name := range pageViews {
		t, err := template.New(name).Funcs(funcs).ParseFS(fsys, "layout.html", "pages/"+name+".html")
		if err != nil {
			return nil, fmt.Errorf("web: template %s: %w", name, err)
		}
		if t.Lookup("layout") == nil || t.Lookup("content") == nil {
			return nil, fmt.Errorf("web: template %s must define \"content\" and use layout.html's \"layout\"", name)
		}
		v.pages[name] = t
	}
	return v, nil
}

var bufPool = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// render executes a page into a buffer, so that a template error becomes a clean 500, never a half-written 200.
// The caller returns the buffer with release.
func (v *views) render(name string, p Page) (*bytes.Buffer, error) {
	t, ok := v.pages[name]
	if !ok {
		return nil, fmt.Errorf("web: no page %q", name)
	}
	if want := reflect.TypeOf(pageViews[name]); reflect.TypeOf(p.Data) != want {
		return nil, fmt.Errorf("web: page %q needs a %v, got %T", name, want, p.Data)
	}
	buf := bufPool.Get().(*bytes.Buffer)
	buf.Reset()
	if err := t.ExecuteTemplate(buf, "layout", p); err != nil {
		release(buf)
		return nil, fmt.Errorf("web: render %s: %w", name, err)
	}
	return buf, nil
}

func release(buf *bytes.Buffer) {
	if buf.Cap() <= 1<<20 { // don't keep a rare huge page's buffer alive
		bufPool.Put(buf)
	}
}
