package tiktok

import (
	"go/ast"
	"go/parser"
	"go/token"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// writeWords are path segments of TikTok's write endpoints (ship, approve, cancel, update, ...). No read of ours
// has one.
var writeWords = []string{"ship", "shipping_info", "packages", "approve", "reject", "cancel", "cancellations",
	"update", "create", "delete", "deactivate", "activate", "recover", "upload", "edit", "partial_edit", "prices",
	"inventory", "split", "combine", "confirm", "refund", "replace", "images", "files", "webhooks", "messages",
	"send", "seller_reject", "buyer", "bind", "unbind", "listing"}

func TestEveryEndpointIsARead(t *testing.T) {
	deletes := 0
	for _, ep := range Endpoints() {
		segments := strings.Split(strings.Trim(ep.Path, "/"), "/")
		switch ep.Method {
		case http.MethodGet:
		case http.MethodPost:
			// Searches send their filters in a body; any other POST creates or changes something.
			if segments[len(segments)-1] != "search" {
				t.Errorf("%s: POST %s is not a search", ep.Name, ep.Path)
			}
		case http.MethodDelete:
			deletes++
			if ep.Name != "Deauthorize" || ep.Path != "/authorization/202403/shops" || !ep.Write {
				t.Errorf("%s: DELETE %s: the only DELETE allowed is the app deauthorizing itself", ep.Name, ep.Path)
			}
		default:
			t.Errorf("%s: method %s", ep.Name, ep.Method)
		}
		if ep.Write != (ep.Method == http.MethodDelete) {
			t.Errorf("%s: Write is %v", ep.Name, ep.Write)
		}
		for _, seg := range segments {
			if slices.Contains(writeWords, seg) {
				t.Errorf("%s: %s %s has the write segment %q", ep.Name, ep.Method, ep.Path, seg)
			}
		}
		if ep.Host == HostAPI && !strings.Contains(ep.Path, "/"+ep.Version+"/") {
			t.Errorf("%s: path %s does not carry its version %s", ep.Name, ep.Path, ep.Version)
		}
		if ep.Host == HostAuth && (ep.Signed || ep.ShopCipher) {
			t.Errorf("%s: a token call is signed or shop-scoped", ep.Name)
		}
	}
	if deletes != 1 {
		t.Errorf("%d DELETE endpoints, want exactly the deauthorization", deletes)
	}
}

func TestTheTokenExchangeIsTheOnlyCallNeverRetried(t *testing.T) {
	for _, ep := range Endpoints() {
		if ep.Retry == (ep.Name == "ExchangeCode") {
			t.Errorf("%s: Retry = %v", ep.Name, ep.Retry)
		}
	}
}

func TestShopCipherIsNeverSentToAuthorizationOrSellerPaths(t *testing.T) {
	for _, ep := range Endpoints() {
		scoped := strings.HasPrefix(ep.Path, "/authorization/") || strings.HasPrefix(ep.Path, "/seller/")
		// The deauthorize DELETE is the documented exception: shop_cipher is its one parameter (doc section 8).
		if scoped && ep.ShopCipher && ep.Name != "Deauthorize" {
			t.Errorf("%s sends shop_cipher to %s", ep.Name, ep.Path)
		}
		if !scoped && ep.Signed && !ep.ShopCipher {
			t.Errorf("%s: shop call %s without shop_cipher", ep.Name, ep.Path)
		}
	}
}

// TestNoPathIsBuiltOutsideTheEndpointTable reads the package's source: every string that looks like an API path
// must be a path of the table, so a request to anywhere else cannot be written without changing the table, which
// TestEveryEndpointIsARead guards.
func TestNoPathIsBuiltOutsideTheEndpointTable(t *testing.T) {
	table := map[string]bool{}
	for _, ep := range Endpoints() {
		table[ep.Path] = true
	}
	apiPath := regexp.MustCompile(`^/[a-z_]+/(v2|\d{6})(/|$)`)
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	found := 0
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		src, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		f, err := parser.ParseFile(fset, name, src, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(f, func(n ast.Node) bool {
			lit, ok := n.(*ast.BasicLit)
			if !ok || lit.Kind != token.STRING {
				return true
			}
			s, err := strconv.Unquote(lit.Value)
			if err != nil || !apiPath.MatchString(s) {
				return true
			}
			found++
			if !table[s] {
				t.Errorf("%s: path %q is not in the endpoint table", fset.Position(lit.Pos()), s)
			}
			return true
		})
		if strings.Contains(string(src), "http.NewRequest") && name != "request.go" {
			t.Errorf("%s builds an HTTP request outside request.go", name)
		}
	}
	if found < len(table) {
		t.Errorf("found %d path literals for %d endpoints: the scan is broken", found, len(table))
	}
}

func TestRequiredScopesAreExactlyTheReadScopes(t *testing.T) {
	want := []string{"seller.authorization.info", "seller.shop.info", "seller.order.info",
		"seller.return_refund.basic", "seller.product.basic", "seller.finance.info"}
	got := RequiredScopes()
	if !slices.Equal(got, want) {
		t.Fatalf("RequiredScopes = %v, want %v", got, want)
	}
	got[0] = "seller.product.write"
	if RequiredScopes()[0] != want[0] {
		t.Fatal("RequiredScopes can be changed by a caller")
	}
	if m := MissingScopes(append(want[1:], "seller.fulfillment.basic")); !slices.Equal(m, want[:1]) {
		t.Errorf("MissingScopes = %v", m)
	}
	if m := MissingScopes(nil); !slices.Equal(m, want) {
		t.Errorf("MissingScopes(nil) = %v", m)
	}
}

func TestAuthorizeURLCarriesServiceIDAndStateOnly(t *testing.T) {
	h := newHarness(t, ok("{}"))
	u, err := url.Parse(h.client.AuthorizeURL("st+te/=1"))
	if err != nil {
		t.Fatal(err)
	}
	if u.Scheme+"://"+u.Host+u.Path != "https://services.tiktokshop.com/open/authorize" {
		t.Errorf("authorize URL %s", u)
	}
	q := u.Query()
	if len(q) != 2 || q.Get("service_id") != "7310000000000000001" || q.Get("state") != "st+te/=1" {
		t.Errorf("authorize query %v (want service_id and state, no redirect_uri, no scope)", q)
	}
}
