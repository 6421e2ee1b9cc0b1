package returns

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/profitline/profitline/internal/store"
	"github.com/profitline/profitline/internal/vault"
)

// SettingsLinkTTL is how long the one-click link to alert settings in an alert works.
const SettingsLinkTTL = 30 * 24 * time.Hour

// SettingsPath is where the one-click link leads; the page asks before it changes anything.
const SettingsPath = "/alerts/one-click"

// purposeSettingsLink binds a sealed link to its use: a value sealed for anything else does not open as one.
const purposeSettingsLink vault.Purpose = "return_alerts.settings_link"

// URLs builds the links of alerts under the app's public address. The one-click link to alert settings is
// "<user id>.<sealed expiry>", sealed with the seller's own data key (AES-256-GCM, bound to the purpose and the
// seller, as every sealed value is): it cannot be forged, altered or moved to another seller, and shredding the
// seller's key voids it.
type URLs struct{ publicURL string }

// NewURLs returns the links of alerts under publicURL.
func NewURLs(publicURL string) URLs { return URLs{publicURL: strings.TrimRight(publicURL, "/")} }

// ReturnsPage is the seller's /returns page.
func (u URLs) ReturnsPage() string { return u.publicURL + "/returns" }

type linkClaims struct {
	Expires int64 `json:"e"` // unix seconds
}

// Settings is tx's seller's signed one-click link to their alert settings, valid for SettingsLinkTTL from now.
func (u URLs) Settings(ctx context.Context, tx *store.Tx, now time.Time) (string, error) {
	b, _ := json.Marshal(linkClaims{Expires: now.Add(SettingsLinkTTL).Unix()}) // a struct of one int marshals
	sealed, err := tx.Seal(ctx, purposeSettingsLink, "", b)
	if err != nil {
		return "", err
	}
	token := strconv.FormatInt(tx.UserID, 10) + "." + base64.RawURLEncoding.EncodeToString(sealed)
	return u.publicURL + SettingsPath + "?" + url.Values{"t": {token}}.Encode(), nil
}

// Errors of a one-click link.
var (
	ErrLinkInvalid = errors.New("returns: this link is not valid")
	ErrLinkExpired = errors.New("returns: this link has expired")
)

// LinkUser is the seller a one-click link's token names, unverified: open it with OpenSettingsLink in their
// transaction before trusting it.
func LinkUser(token string) (int64, error) {
	id, _, ok := strings.Cut(token, ".")
	userID, err := strconv.ParseInt(id, 10, 64)
	if !ok || err != nil || userID <= 0 {
		return 0, ErrLinkInvalid
	}
	return userID, nil
}

// OpenSettingsLink checks, in the transaction of the seller LinkUser named, that token is a link Settings made
// for them and that it has not expired.
func OpenSettingsLink(ctx context.Context, tx *store.Tx, token string, now time.Time) error {
	id, sealed, _ := strings.Cut(token, ".")
	if id != strconv.FormatInt(tx.UserID, 10) {
		return ErrLinkInvalid
	}
	raw, err := base64.RawURLEncoding.DecodeString(sealed)
	if err != nil {
		return ErrLinkInvalid
	}
	b, err := tx.Open(ctx, purposeSettingsLink, "", raw)
	if err != nil {
		return ErrLinkInvalid
	}
	var c linkClaims
	if err := json.Unmarshal(b, &c); err != nil {
		return ErrLinkInvalid
	}
	if now.Unix() >= c.Expires {
		return ErrLinkExpired
	}
	return nil
}
