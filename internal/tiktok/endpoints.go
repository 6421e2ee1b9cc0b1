package tiktok

import (
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strings"
)

// Host says which configured base URL an endpoint lives on.
type Host string

const (
	HostAPI  Host = "api"  // Config.APIBase: signed calls
	HostAuth Host = "auth" // Config.AuthBase: the unsigned token calls
)

// Endpoint is one request the client can make. The client builds requests only from this table, so the table is
// the whole of what Profitline can ask of TikTok.
type Endpoint struct {
	Name       string // the Client or Seller method that calls it
	Method     string
	Path       string // with {placeholders} for path parameters
	Version    string // pinned per endpoint: versions move independently
	Host       Host
	Signed     bool // carries app_key, timestamp, sign and the access token header
	ShopCipher bool // carries shop_cipher
	Retry      bool // safe to send again after a failure
	Write      bool // changes something at TikTok: only the app deauthorizing itself
}

type endpointID int

const (
	epExchangeCode endpointID = iota
	epRefreshToken
	epAuthorizedShops
	epDeauthorize
	epSearchOrders
	epGetOrders
	epSearchReturns
	epSearchProducts
	epStatements
	epPayments
	epWithdrawals
	epStatementTransactions
	epOrderStatementTransactions
	epUnsettledOrders
)

var endpoints = [...]Endpoint{
	// A code is single-use: sending it twice can only fail, so the exchange is never retried.
	epExchangeCode: {Name: "ExchangeCode", Method: http.MethodGet, Path: "/api/v2/token/get", Version: "v2", Host: HostAuth},
	epRefreshToken: {Name: "RefreshToken", Method: http.MethodGet, Path: "/api/v2/token/refresh", Version: "v2", Host: HostAuth, Retry: true},

	// Authorization calls never carry shop_cipher (TikTok rejects it) except the deauthorize DELETE, whose one
	// documented parameter is the shop_cipher of the shop to let go.
	epAuthorizedShops: {Name: "AuthorizedShops", Method: http.MethodGet, Path: "/authorization/202309/shops", Version: "202309", Host: HostAPI, Signed: true, Retry: true},
	epDeauthorize:     {Name: "Deauthorize", Method: http.MethodDelete, Path: "/authorization/202403/shops", Version: "202403", Host: HostAPI, Signed: true, ShopCipher: true, Retry: true, Write: true},

	// Searches are POSTs only because their filters travel in a body; they read.
	epSearchOrders:               {Name: "SearchOrders", Method: http.MethodPost, Path: "/order/202309/orders/search", Version: "202309", Host: HostAPI, Signed: true, ShopCipher: true, Retry: true},
	epGetOrders:                  {Name: "GetOrders", Method: http.MethodGet, Path: "/order/202309/orders", Version: "202309", Host: HostAPI, Signed: true, ShopCipher: true, Retry: true},
	epSearchReturns:              {Name: "SearchReturns", Method: http.MethodPost, Path: "/return_refund/202309/returns/search", Version: "202309", Host: HostAPI, Signed: true, ShopCipher: true, Retry: true},
	epSearchProducts:             {Name: "SearchProducts", Method: http.MethodPost, Path: "/product/202309/products/search", Version: "202309", Host: HostAPI, Signed: true, ShopCipher: true, Retry: true},
	epStatements:                 {Name: "Statements", Method: http.MethodGet, Path: "/finance/202309/statements", Version: "202309", Host: HostAPI, Signed: true, ShopCipher: true, Retry: true},
	epPayments:                   {Name: "Payments", Method: http.MethodGet, Path: "/finance/202309/payments", Version: "202309", Host: HostAPI, Signed: true, ShopCipher: true, Retry: true},
	epWithdrawals:                {Name: "Withdrawals", Method: http.MethodGet, Path: "/finance/202309/withdrawals", Version: "202309", Host: HostAPI, Signed: true, ShopCipher: true, Retry: true},
	epStatementTransactions:      {Name: "StatementTransactions", Method: http.MethodGet, Path: "/finance/202501/statements/{statement_id}/statement_transactions", Version: "202501", Host: HostAPI, Signed: true, ShopCipher: true, Retry: true},
	epOrderStatementTransactions: {Name: "OrderStatementTransactions", Method: http.MethodGet, Path: "/finance/202501/orders/{order_id}/statement_transactions", Version: "202501", Host: HostAPI, Signed: true, ShopCipher: true, Retry: true},
	epUnsettledOrders:            {Name: "UnsettledOrders", Method: http.MethodGet, Path: "/finance/202507/orders/unsettled", Version: "202507", Host: HostAPI, Signed: true, ShopCipher: true, Retry: true},
}

// Endpoints returns every request the client can build (a copy: the table itself cannot be changed).
func Endpoints() []Endpoint { return slices.Clone(endpoints[:]) }

// pathParam is what an id may look like inside a path: TikTok's ids are digits, and anything that would need
// escaping would make the signed path differ from the sent one.
var pathParam = regexp.MustCompile(`^[A-Za-z0-9_-]{1,64}$`)

// ValidID reports whether id can name a record in a request (GetOrders, a path): letters, digits, _ and -.
func ValidID(id string) bool { return pathParam.MatchString(id) }

// build fills the endpoint's placeholders with args, in order.
func (e *Endpoint) build(args ...string) (string, error) {
	path := e.Path
	for _, a := range args {
		i := strings.IndexByte(path, '{')
		j := strings.IndexByte(path, '}')
		if i < 0 || j < i {
			return "", fmt.Errorf("tiktok: %s takes %d path parameters", e.Name, strings.Count(e.Path, "{"))
		}
		if !pathParam.MatchString(a) {
			return "", fmt.Errorf("tiktok: %s: %s %q is not an id", e.Name, path[i+1:j], a)
		}
		path = path[:i] + a + path[j+1:]
	}
	if strings.Contains(path, "{") {
		return "", fmt.Errorf("tiktok: %s: missing path parameter", e.Name)
	}
	return path, nil
}
