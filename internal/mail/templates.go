package mail

import (
	"bytes"
	"embed"
	"fmt"
	htmltemplate "html/template"
	"io/fs"
	"path"
	"strings"
	texttemplate "text/template"
)

// Each kind of mail is two embedded files: templates/<kind>.txt, a text/template that also defines "subject", and
// templates/<kind>.html, an html/template for the HTML body. Both receive the same data.
//
//go:embed templates
var templateFS embed.FS

// KindVerifyEmail asks a seller to confirm their address; its data is VerifyEmail.
const KindVerifyEmail = "verify-email"

// VerifyEmail is the data of a KindVerifyEmail mail.
type VerifyEmail struct {
	Link string // the confirmation link; it carries a secret token
}

// KindResetPassword carries a password-reset link; its data is ResetPassword.
const KindResetPassword = "reset-password"

// ResetPassword is the data of a KindResetPassword mail.
type ResetPassword struct {
	Link string // carries a secret token; expires in an hour
}

// KindAccountExists answers a sign-up with an address that already has an account, so the sign-up page never has
// to reveal that; its data is AccountExists.
const KindAccountExists = "account-exists"

// AccountExists is the data of a KindAccountExists mail.
type AccountExists struct {
	SignInLink string
	ResetLink  string
}

type kindTemplates struct {
	text *texttemplate.Template
	html *htmltemplate.Template
}

// kinds is parsed when the package loads: a broken or half-present template stops the binary at start, not a mail.
var kinds = mustParseTemplates(templateFS)

func mustParseTemplates(fsys fs.FS) map[string]kindTemplates {
	k, err := parseTemplates(fsys)
	if err != nil {
		panic(err)
	}
	return k
}

func parseTemplates(fsys fs.FS) (map[string]kindTemplates, error) {
	texts, err := fs.Glob(fsys, "templates/*.txt")
	if err != nil {
		return nil, err
	}
	kinds := make(map[string]kindTemplates, len(texts))
	for _, name := range texts {
		kind := strings.TrimSuffix(path.Base(name), ".txt")
		text, err := texttemplate.New(path.Base(name)).Option("missingkey=error").ParseFS(fsys, name)
		if err != nil {
			return nil, fmt.Errorf("mail: template %s: %w", name, err)
		}
		if text.Lookup("subject") == nil {
			return nil, fmt.Errorf("mail: template %s defines no subject", name)
		}
		htmlName := "templates/" + kind + ".html"
		html, err := htmltemplate.New(path.Base(htmlName)).Option("missingkey=error").ParseFS(fsys, htmlName)
		if err != nil {
			return nil, fmt.Errorf("mail: template %s: %w", htmlName, err)
		}
		kinds[kind] = kindTemplates{text: text, html: html}
	}
	return kinds, nil
}

// Render builds the mail of kind to the address to from the embedded templates, filled with data.
func Render(kind, to string, data any) (Message, error) {
	t, ok := kinds[kind]
	if !ok {
		return Message{}, fmt.Errorf("mail: no templates for kind %q", kind)
	}
	var subject, text, html bytes.Buffer
	if err := t.text.ExecuteTemplate(&subject, "subject", data); err != nil {
		return Message{}, fmt.Errorf("mail: render %s subject: %w", kind, err)
	}
	if err := t.text.Execute(&text, data); err != nil {
		return Message{}, fmt.Errorf("mail: render %s text: %w", kind, err)
	}
	if err := t.html.Execute(&html, data); err != nil {
		return Message{}, fmt.Errorf("mail: render %s html: %w", kind, err)
	}
	m := Message{To: to, Subject: strings.TrimSpace(subject.String()), Text: text.String(), HTML: html.String()}
	if err := m.Validate(); err != nil {
		return Message{}, err
	}
	return m, nil
}
