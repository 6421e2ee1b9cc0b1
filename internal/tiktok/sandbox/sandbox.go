// Package sandbox is a stand-in for the TikTok Shop Open API, written from /work/shared/tiktok-shop-api.md, that
// Profitline's client, demo and tests run against: the API host, the auth host and the seller consent page from
// one http.Handler, over deterministic seller data (shops, products, orders, returns, statements, payments),
// with fault injection and ground-truth totals for tests.
//
// It verifies every request with its own signing code and must never import Profitline's client
// (internal/tiktok): a bug shared by both sides would then pass unnoticed.
package sandbox

import (
	"cmp"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"sync"
	"time"

	"github.com/profitline/profitline/internal/clock"
)

// ReadScopes are the scopes a read-only analytics app asks for; a grant gets them all unless Config says otherwise.
var ReadScopes = []string{
	"seller.authorization.info", "seller.shop.info", "seller.order.info",
	"seller.return_refund.basic", "seller.product.basic", "seller.finance.info",
}

// Config sizes the sandbox's data and sets the app's credentials. Zero sizes take the defaults in New.
type Config struct {
	AppKey      string
	AppSecret   string
	ServiceID   string
	RedirectURL string // the app's fixed redirect URL, as registered in Partner Center
	WebhookURL  string // where SendWebhook posts

	Seed            int64
	Days            int // orders are created over this many days ending at the clock's now (default 30)
	OrdersPerDay    int // roughly, per shop (default 20; 0 is allowed with NoOrders)
	NoOrders        bool
	Shops           int // 1 to 9 (default 2); shops 2i and 2i+1 belong to one seller, so one grant covers both
	ProductsPerShop int // default 12

	GrantedScopes []string // what a new grant holds (default ReadScopes)
	// KeepOldRefreshToken leaves a refresh token usable after it was used to refresh. By default a refresh
	// rotates the refresh token and the old one stops working (the spec leaves this UNCONFIRMED).
	KeepOldRefreshToken bool

	Clock clock.Clock // default clock.System
	// RequestClock is what request timestamps are checked against (default Clock): a test whose data stands still
	// on a fake Clock while a separate process signs requests on the system clock sets clock.System here.
	RequestClock clock.Clock
	HTTPClient   *http.Client // for webhooks (default: a client with a 10 s timeout)
	Faults       Faults
}

// Faults are switches that make the sandbox misbehave the way the real API does. Counters count down per API
// request (token and consent calls are never faulted except by RefreshFails).
type Faults struct {
	RateLimitNext   int           // the next N API requests answer HTTP 429, code 36009002, with Retry-After
	RetryAfter      time.Duration // the Retry-After of those answers (default 1 s, whole seconds)
	ServerErrorNext int           // the next N API requests answer HTTP 503, code 36009003
	OnlyShop        string        // a shop cipher: RateLimitNext and ServerErrorNext then count that shop's requests only
	PageDelay       time.Duration // every API request waits this long (wall time) before answering

	ExpireAccessTokens bool     // every access token issued so far answers 105002; refreshed tokens work
	RefreshFails       bool     // token refresh answers 36004001 (refresh token expired: the grant is gone)
	RevokedShops       []string // shop ids or ciphers whose calls answer 36004005
	MalformedOrder     bool     // the order MalformedOrderID names is served with payment.total_amount as a number
	// UpdateTimeSlop widens update_time windows on each side, as the real API returns items slightly outside them.
	UpdateTimeSlop time.Duration
}

// Sandbox is the fake TikTok Shop. It is safe for concurrent use.
type Sandbox struct {
	cfg     Config
	clk     clock.Clock
	reqClk  clock.Clock // checks request timestamps
	anchor  time.Time
	shops   []*shop
	sellers []*seller
	handler http.Handler

	statementsByID map[string]*statement
	paymentsByID   map[string]*payment
	mismatch       *txn
	malformed      *order

	mu            sync.Mutex
	faults        Faults
	calls         map[string][]time.Time
	codes         map[string]*authCode
	tokens        map[string]*token
	tokenSeq      int
	expiredUpTo   int // access tokens with seq <= this answer 105002
	revokedShops  map[string]bool
	requestSeq    int
	notifications int
	searchCache   map[string]*search
	pages         map[string]map[string]int // by shop cipher, then pageKey
}

type seller struct {
	openID  string
	name    string
	region  string
	shops   []*shop
	revoked bool
}

// New generates the sandbox's data from cfg.Seed. The same seed, sizes and clock time give the same data.
func New(cfg Config) (*Sandbox, error) {
	if cfg.AppKey == "" || cfg.AppSecret == "" {
		return nil, errors.New("sandbox: AppKey and AppSecret are required")
	}
	if cfg.Shops == 0 {
		cfg.Shops = 2
	}
	if cfg.Shops < 1 || cfg.Shops > 9 {
		return nil, fmt.Errorf("sandbox: Shops = %d, want 1 to 9", cfg.Shops)
	}
	if cfg.Days == 0 {
		cfg.Days = 30
	}
	if cfg.Days < 1 || cfg.Days > 3650 {
		return nil, fmt.Errorf("sandbox: Days = %d, want 1 to 3650", cfg.Days)
	}
	if cfg.OrdersPerDay == 0 && !cfg.NoOrders {
		cfg.OrdersPerDay = 20
	}
	if cfg.NoOrders {
		cfg.OrdersPerDay = 0
	}
	if cfg.OrdersPerDay < 0 || cfg.OrdersPerDay > 500000 {
		return nil, fmt.Errorf("sandbox: OrdersPerDay = %d, want 0 to 500000", cfg.OrdersPerDay)
	}
	if cfg.ProductsPerShop == 0 {
		cfg.ProductsPerShop = 12
	}
	if cfg.ProductsPerShop < 1 {
		return nil, fmt.Errorf("sandbox: ProductsPerShop = %d, want at least 1", cfg.ProductsPerShop)
	}
	if cfg.GrantedScopes == nil {
		cfg.GrantedScopes = slices.Clone(ReadScopes)
	}
	if cfg.Clock == nil {
		cfg.Clock = clock.System{}
	}
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = &http.Client{Timeout: 10 * time.Second}
	}
	s := &Sandbox{
		cfg:            cfg,
		clk:            cfg.Clock,
		reqClk:         cmp.Or[clock.Clock](cfg.RequestClock, cfg.Clock),
		anchor:         cfg.Clock.Now().UTC().Truncate(time.Second),
		statementsByID: map[string]*statement{},
		paymentsByID:   map[string]*payment{},
		calls:          map[string][]time.Time{},
		codes:          map[string]*authCode{},
		tokens:         map[string]*token{},
		revokedShops:   map[string]bool{},
		searchCache:    map[string]*search{},
		pages:          map[string]map[string]int{},
	}
	s.genShops()
	for _, sh := range s.shops {
		if cfg.OrdersPerDay > 0 {
			s.genOrders(sh)
		}
		for _, o := range sh.orders {
			if o.ret != nil {
				sh.returns = append(sh.returns, o.ret)
			}
		}
		slices.SortFunc(sh.returns, func(a, b *returnRecord) int { return cmp.Compare(a.created(), b.created()) })
		s.assignBuyers(sh)
		s.genFinance(sh)
		sh.indexChanges()
	}
	if first := s.shops[0]; len(first.orders) > 0 {
		s.malformed = first.orders[len(first.orders)/2]
	}
	s.SetFaults(cfg.Faults)
	s.handler = s.routes()
	return s, nil
}

// Demo is the sandbox `make run` uses: two shops (US and GB) of one seller, 90 days of about 40 orders a day each,
// with fixed credentials so the app's dev config can name them.
func Demo(clk clock.Clock) Config {
	return Config{
		AppKey:       "6demo1profitline",
		AppSecret:    "demo-sandbox-secret-not-for-production",
		ServiceID:    "7300000000000000001",
		RedirectURL:  "http://localhost:8080/oauth/tiktok/callback",
		Seed:         20260101,
		Days:         90,
		OrdersPerDay: 40,
		Shops:        2,
		Clock:        clk,
	}
}

// Handler serves the API host, the auth host (/api/v2/token/*) and the consent page (/open/authorize).
func (s *Sandbox) Handler() http.Handler { return s.handler }

// SetFaults replaces the fault switches. ExpireAccessTokens takes effect for tokens issued before this call.
func (s *Sandbox) SetFaults(f Faults) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if f.RetryAfter <= 0 {
		f.RetryAfter = time.Second
	}
	s.faults = f
	if f.ExpireAccessTokens {
		s.expiredUpTo = s.tokenSeq
	}
}

// CurrentFaults reports the switches as they stand, with counters as far as they have counted down.
func (s *Sandbox) CurrentFaults() Faults {
	s.mu.Lock()
	defer s.mu.Unlock()
	f := s.faults
	f.RevokedShops = slices.Clone(f.RevokedShops)
	return f
}

// Calls counts the API requests that carried shopCipher ("" counts those without one, such as
// /authorization/202309/shops), whether or not they were answered with success.
func (s *Sandbox) Calls(shopCipher string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.calls[shopCipher])
}

// CallsSince counts the API requests for shopCipher at or after t on the sandbox's clock.
func (s *Sandbox) CallsSince(shopCipher string, t time.Time) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, c := range s.calls[shopCipher] {
		if !c.Before(t) {
			n++
		}
	}
	return n
}

// Shop is a shop as /authorization/202309/shops describes it, plus the seller that owns it.
type Shop struct {
	ID, Name, Region, Currency, SellerType, Cipher, Code string
	OpenID                                               string // the grant (seller) that covers the shop
}

// Shops lists every shop, in order.
func (s *Sandbox) Shops() []Shop {
	var out []Shop
	for _, sh := range s.shops {
		out = append(out, Shop{ID: sh.id, Name: sh.name, Region: sh.region, Currency: sh.currency,
			SellerType: sh.sellerType, Cipher: sh.cipher, Code: sh.code, OpenID: s.sellers[sh.seller].openID})
	}
	return out
}

// Seller is one grant holder (open_id) and the shops one authorization covers.
type Seller struct {
	OpenID, Name, Region string
	ShopIDs              []string
}

// Sellers lists the sellers; the consent page's seller= parameter takes an OpenID or an index.
func (s *Sandbox) Sellers() []Seller {
	var out []Seller
	for _, sel := range s.sellers {
		x := Seller{OpenID: sel.openID, Name: sel.name, Region: sel.region}
		for _, sh := range sel.shops {
			x.ShopIDs = append(x.ShopIDs, sh.id)
		}
		out = append(out, x)
	}
	return out
}

// MalformedOrderID names the order that Faults.MalformedOrder corrupts ("" when there are no orders).
func (s *Sandbox) MalformedOrderID() string {
	if s.malformed == nil {
		return ""
	}
	return s.malformed.id
}

// Mismatch names the one statement, and the order transaction in it, whose settlement is deliberately 1.00 more
// than its parts ("" when no order ever settles).
func (s *Sandbox) Mismatch() (statementID, orderID string) {
	if s.mismatch == nil {
		return "", ""
	}
	return s.mismatch.order.statement.id, s.mismatch.order.id
}

func (s *Sandbox) shopByID(id string) *shop {
	for _, sh := range s.shops {
		if sh.id == id || sh.cipher == id {
			return sh
		}
	}
	return nil
}

func (s *Sandbox) now() int64 { return s.clk.Now().Unix() }

// BuyerReturns is the ground truth of a shop's repeat returners: for each return created by now, how many returns
// its buyer made in the shop's seller's shops from since until now, that one included.
func (s *Sandbox) BuyerReturns(shopID string, since time.Time) map[string]int {
	sh := s.shopByID(shopID)
	if sh == nil {
		return nil
	}
	now, from := s.now(), since.Unix()
	byBuyer := map[string]int{}
	for _, other := range s.shops {
		if other.seller != sh.seller {
			continue
		}
		for _, rt := range other.returns {
			if c := rt.created(); c >= from && c <= now {
				byBuyer[buyerID(other, rt.order.buyer)]++
			}
		}
	}
	out := map[string]int{}
	for _, rt := range sh.returns {
		if rt.created() <= now {
			out[rt.id] = byBuyer[buyerID(sh, rt.order.buyer)]
		}
	}
	return out
}
