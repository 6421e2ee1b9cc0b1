package sellerhook

import "strings"

// Message is one delivery's body: Slack's incoming-webhook JSON (text, with blocks for a richer layout), which
// Slack, Mattermost, Discord's /slack endpoints and most automation tools accept, plus Profitline's own fields
// under "profitline" for a receiver that wants them as data. It holds nothing about a buyer.
type Message struct {
	Text   string  `json:"text"`
	Blocks []Block `json:"blocks,omitempty"`
	Data   any     `json:"profitline,omitempty"`
}

// Block is one Slack layout block: a header, a section (text, or fields in two columns) or actions (buttons).
type Block struct {
	Type     string   `json:"type"`
	Text     *Text    `json:"text,omitempty"`
	Fields   []Text   `json:"fields,omitempty"`
	Elements []Button `json:"elements,omitempty"`
}

// Text is a Slack text object: "plain_text" or "mrkdwn".
type Text struct {
	Type string `json:"type"`
	Text string `json:"text"`
}

// Button is a Slack link button.
type Button struct {
	Type string `json:"type"` // "button"
	Text Text   `json:"text"`
	URL  string `json:"url"`
}

// Slack refuses a whole message whose blocks exceed these lengths (in characters), so text from data is clipped.
const (
	maxHeader  = 150
	maxSection = 3000
	maxField   = 300 // Slack allows 2000, and escaping can make a value five times longer
)

// clip cuts s to at most n characters, marking the cut.
func clip(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

// Header is a header block of plain text.
func Header(s string) Block {
	return Block{Type: "header", Text: &Text{Type: "plain_text", Text: clip(s, maxHeader)}}
}

// Section is a section block of mrkdwn text; escape what came from data with Escape.
func Section(mrkdwn string) Block {
	return Block{Type: "section", Text: &Text{Type: "mrkdwn", Text: clip(mrkdwn, maxSection)}}
}

// Fields is a section of label and value pairs, "*label*\nvalue"; values are escaped here.
func Fields(labelValue ...string) Block {
	b := Block{Type: "section"}
	for i := 0; i+1 < len(labelValue); i += 2 {
		b.Fields = append(b.Fields, Text{Type: "mrkdwn", Text: "*" + labelValue[i] + "*\n" + Escape(clip(labelValue[i+1], maxField))})
	}
	return b
}

// Links is an actions block of link buttons, label and URL pairs.
func Links(labelURL ...string) Block {
	b := Block{Type: "actions"}
	for i := 0; i+1 < len(labelURL); i += 2 {
		b.Elements = append(b.Elements, Button{Type: "button", Text: Text{Type: "plain_text", Text: labelURL[i]}, URL: labelURL[i+1]})
	}
	return b
}

// Escape makes s literal in Slack's mrkdwn, which reads &, < and > as markup.
func Escape(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace(s)
}
