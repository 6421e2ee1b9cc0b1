package sandbox

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Error codes from the spec.
const (
	codeRateLimited   = 36009002
	codeServerError   = 36009003
	codeOverloaded    = 36009004
	codeInvalidSign   = 106001
	codeMissingCipher = 106013
	codeTokenExpired  = 105002
	codeScopeMissing  = 105005
	codeInvalidToken  = 36004004
	codeRevoked       = 36004005
	// codeInvalidParam answers a bad parameter (page_size out of range, unknown page_token); the spec does not
	// document one, so the sandbox picks its own.
	codeInvalidParam = 36009001
	codeNotFound     = 36009404
)

type apiError struct {
	status int // HTTP status; 0 means 200, as the real API answers most errors
	code   int
	msg    string
}

func (e *apiError) Error() string { return fmt.Sprintf("%d: %s", e.code, e.msg) }

func paramErr(format string, args ...any) *apiError {
	return &apiError{code: codeInvalidParam, msg: fmt.Sprintf(format, args...)}
}

type envelope struct {
	Code      int    `json:"code"`
	Message   string `json:"message"`
	RequestID string `json:"request_id"`
	Data      any    `json:"data"`
}

// writeLocked answers with s.mu held: the token calls, whose answers are small.
func (s *Sandbox) writeLocked(w http.ResponseWriter, data any, e *apiError) {
	s.requestSeq++
	s.respond(w, s.requestSeq, data, e)
}

// write answers an API call. Only the request id is taken under the lock: a page of orders is encoded while other
// requests are served.
func (s *Sandbox) write(w http.ResponseWriter, data any, e *apiError) {
	s.mu.Lock()
	s.requestSeq++
	seq := s.requestSeq
	s.mu.Unlock()
	s.respond(w, seq, data, e)
}

func (s *Sandbox) respond(w http.ResponseWriter, seq int, data any, e *apiError) {
	reqID := s.clk.Now().Format("20060102150405") + fmt.Sprintf("%012X", seq)
	env := envelope{Code: 0, Message: "Success", RequestID: reqID, Data: data}
	status := http.StatusOK
	if e != nil {
		env.Code, env.Message, env.Data = e.code, e.msg, nil
		if e.status != 0 {
			status = e.status
		}
	}
	body, err := json.Marshal(env)
	if err != nil {
		http.Error(w, "encoding error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Tt-Logid", reqID)
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

// call is one verified API request.
type call struct {
	r      *http.Request
	query  url.Values
	body   []byte
	shop   *shop // nil on /authorization/*
	seller *seller
	now    int64
}

type apiHandler func(*call) (any, *apiError)

type route struct {
	scope      string
	shopScoped bool
	// cipherAllowed lets the deauthorize call name the shop without being shop-scoped in the usual sense.
	cipherAllowed bool
}

func (s *Sandbox) routes() http.Handler {
	mux := http.NewServeMux()
	api := func(pattern string, rt route, h apiHandler) { mux.Handle(pattern, s.api(rt, h)) }
	auth := route{scope: "seller.authorization.info"}
	orders := route{scope: "seller.order.info", shopScoped: true}
	returns := route{scope: "seller.return_refund.basic", shopScoped: true}
	products := route{scope: "seller.product.basic", shopScoped: true}
	finance := route{scope: "seller.finance.info", shopScoped: true}

	api("GET /authorization/202309/shops", auth, s.authorizedShops)
	api("DELETE /authorization/202403/shops", route{scope: auth.scope, cipherAllowed: true}, s.deauthorize)
	api("POST /order/202309/orders/search", orders, s.searchOrders)
	api("GET /order/202309/orders", orders, s.orderDetail)
	api("POST /return_refund/202309/returns/search", returns, s.searchReturns)
	api("POST /product/202309/products/search", products, s.searchProducts)
	api("GET /finance/202309/statements", finance, s.statements)
	api("GET /finance/202309/payments", finance, s.payments)
	api("GET /finance/202309/withdrawals", finance, s.withdrawals)
	api("GET /finance/202501/statements/{statement_id}/statement_transactions", finance, s.statementTransactions)
	api("GET /finance/202501/orders/{order_id}/statement_transactions", finance, s.orderTransactions)
	api("GET /finance/202507/orders/unsettled", finance, s.unsettledOrders)

	mux.HandleFunc("GET /api/v2/token/get", s.tokenGet)
	mux.HandleFunc("GET /api/v2/token/refresh", s.tokenRefresh)
	mux.HandleFunc("GET /open/authorize", s.consent)
	mux.HandleFunc("POST /open/authorize", s.consent)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		s.write(w, nil, &apiError{status: http.StatusNotFound, code: codeNotFound, msg: "path not found: " + r.URL.Path})
	})
	return mux
}

// sign computes the request signature the spec describes, for the sandbox's own checks: HMAC-SHA256 keyed by
// the secret over secret + path + sorted key+value pairs (without sign and access_token) + body + secret.
func sign(secret, path string, query url.Values, body []byte) string {
	keys := make([]string, 0, len(query))
	for k := range query {
		if k != "sign" && k != "access_token" {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	var b bytes.Buffer
	b.WriteString(secret)
	b.WriteString(path)
	for _, k := range keys {
		b.WriteString(k)
		b.WriteString(query.Get(k))
	}
	b.Write(body)
	b.WriteString(secret)
	m := hmac.New(sha256.New, []byte(secret))
	m.Write(b.Bytes())
	return hex.EncodeToString(m.Sum(nil))
}

func (s *Sandbox) api(rt route, h apiHandler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
		if err != nil {
			s.write(w, nil, paramErr("unreadable body"))
			return
		}
		q := r.URL.Query()
		cipher := q.Get("shop_cipher")

		s.mu.Lock()
		s.calls[cipher] = append(s.calls[cipher], s.clk.Now())
		f := &s.faults
		delay := f.PageDelay
		var fault *apiError
		if f.OnlyShop == "" || f.OnlyShop == cipher {
			switch {
			case f.RateLimitNext > 0:
				f.RateLimitNext--
				fault = &apiError{status: http.StatusTooManyRequests, code: codeRateLimited, msg: "Too many requests: rate limit exceeded"}
				w.Header().Set("Retry-After", strconv.Itoa(int(max(1, f.RetryAfter.Round(time.Second)/time.Second))))
			case f.ServerErrorNext > 0:
				f.ServerErrorNext--
				fault = &apiError{status: http.StatusServiceUnavailable, code: codeServerError, msg: "Internal error, please try again later"}
			}
		}
		s.mu.Unlock()

		if delay > 0 {
			t := time.NewTimer(delay)
			select {
			case <-t.C:
			case <-r.Context().Done():
				t.Stop()
				return
			}
		}
		if fault != nil {
			s.write(w, nil, fault)
			return
		}
		c, e := s.verify(r, q, body, rt)
		if e != nil {
			s.write(w, nil, e)
			return
		}
		data, e := h(c)
		if e == nil {
			s.countPage(c)
		}
		s.write(w, data, e)
	})
}

// verify checks a request the way the spec says TikTok does, in order: forbidden parameters, app_key,
// timestamp, sign, access token, scope, then shop_cipher.
func (s *Sandbox) verify(r *http.Request, q url.Values, body []byte, rt route) (*call, *apiError) {
	for _, k := range []string{"access_token", "shop_id", "version"} {
		if q.Has(k) {
			return nil, &apiError{code: codeOverloaded, msg: fmt.Sprintf("Invalid request: %s must not be sent in the query", k)}
		}
	}
	if !hmac.Equal([]byte(q.Get("app_key")), []byte(s.cfg.AppKey)) {
		return nil, &apiError{code: codeOverloaded, msg: "Invalid credentials: app_key is invalid"}
	}
	ts, err := strconv.ParseInt(q.Get("timestamp"), 10, 64)
	now := s.reqClk.Now().Unix()
	switch {
	case err != nil:
		return nil, &apiError{code: codeOverloaded, msg: "Invalid timestamp: missing or not a number"}
	case ts < now-300:
		return nil, &apiError{code: codeOverloaded, msg: fmt.Sprintf("Invalid timestamp: %d is more than 5 minutes old", ts)}
	case ts > now+30:
		return nil, &apiError{code: codeOverloaded, msg: fmt.Sprintf("Invalid timestamp: %d is more than 30 seconds ahead", ts)}
	}
	signed := body
	if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt == "multipart/form-data" {
		signed = nil
	}
	want := sign(s.cfg.AppSecret, r.URL.Path, q, signed)
	if got := q.Get("sign"); got == "" || !hmac.Equal([]byte(got), []byte(want)) {
		return nil, &apiError{code: codeInvalidSign, msg: "Invalid sign: the signature does not match (it must be lower-case hex)"}
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	value := r.Header.Get("x-tts-access-token")
	t := s.tokens[value]
	switch {
	case value == "":
		return nil, &apiError{code: codeOverloaded, msg: "Invalid access token: x-tts-access-token header is missing"}
	case t == nil || t.refresh:
		return nil, &apiError{code: codeInvalidToken, msg: "Invalid access token"}
	case t.seller.revoked:
		return nil, &apiError{code: codeRevoked, msg: "No authorization record: the seller revoked access"}
	case now >= t.expires || t.seq <= s.expiredUpTo:
		return nil, &apiError{code: codeTokenExpired, msg: "Access token is expired"}
	case !slices.Contains(t.scopes, rt.scope):
		return nil, &apiError{code: codeScopeMissing, msg: "Scope not granted: " + rt.scope}
	}
	c := &call{r: r, query: q, body: body, seller: t.seller, now: now}
	cipher := q.Get("shop_cipher")
	if !rt.shopScoped && !rt.cipherAllowed {
		if q.Has("shop_cipher") {
			return nil, &apiError{code: codeOverloaded, msg: "Invalid request: shop_cipher is not allowed on this path"}
		}
		return c, nil
	}
	if cipher == "" {
		return nil, &apiError{code: codeMissingCipher, msg: "shop_cipher is required"}
	}
	for _, sh := range t.seller.shops {
		if sh.cipher == cipher {
			c.shop = sh
		}
	}
	if c.shop == nil {
		return nil, &apiError{code: codeOverloaded, msg: "Invalid shop_cipher: not a shop of this authorization"}
	}
	if s.revokedShops[c.shop.id] || slices.Contains(s.faults.RevokedShops, c.shop.id) || slices.Contains(s.faults.RevokedShops, c.shop.cipher) {
		return nil, &apiError{code: codeRevoked, msg: "No authorization record for this shop"}
	}
	return c, nil
}

// Page tokens are standard base64 (so they carry '+' and '/') of a marker, the offset and a check of the endpoint
// and filters, so a token from another query is refused rather than silently misread.
var tokenMarker = []byte{0xfb, 0xef, 0xff}

func pageToken(key string, offset int) string {
	b := append([]byte{}, tokenMarker...)
	b = binary.BigEndian.AppendUint32(b, uint32(offset))
	sum := sha256.Sum256([]byte(key))
	b = append(b, sum[:5]...)
	return base64.StdEncoding.EncodeToString(b)
}

func parsePageToken(tok, key string) (int, *apiError) {
	if tok == "" {
		return 0, nil
	}
	b, err := base64.StdEncoding.DecodeString(tok)
	sum := sha256.Sum256([]byte(key))
	if err != nil || len(b) != 12 || !bytes.Equal(b[:3], tokenMarker) || !bytes.Equal(b[7:], sum[:5]) {
		return 0, paramErr("Invalid page_token")
	}
	return int(binary.BigEndian.Uint32(b[3:7])), nil
}

func pageSize(q url.Values, lo, hi, def int) (int, *apiError) {
	v := q.Get("page_size")
	if v == "" {
		if def == 0 {
			return 0, paramErr("page_size is required")
		}
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < lo || n > hi {
		return 0, paramErr("page_size must be between %d and %d", lo, hi)
	}
	return n, nil
}

// page cuts one page from n matching items. limit caps how far paging can reach (products stop at 10,000).
func page(c *call, key string, n, lo, hi, def, limit int) (from, to int, next string, e *apiError) {
	size, e := pageSize(c.query, lo, hi, def)
	if e != nil {
		return 0, 0, "", e
	}
	key = c.r.URL.Path + "|" + c.shop.id + "|" + key
	from, e = parsePageToken(c.query.Get("page_token"), key)
	if e != nil {
		return 0, 0, "", e
	}
	reach := n
	if limit > 0 {
		reach = min(n, limit)
	}
	from = min(from, reach)
	to = min(from+size, reach)
	if to < reach {
		next = pageToken(key, to)
	}
	return from, to, next, nil
}

func sortOrder(q url.Values, def string) (bool, *apiError) {
	switch v := q.Get("sort_order"); v {
	case "":
		return def == "DESC", nil
	case "ASC", "DESC":
		return v == "DESC", nil
	default:
		return false, paramErr("sort_order must be ASC or DESC")
	}
}

// window is a time filter; zero bounds are open. hiInclusive serves the products search's update_time_le.
type window struct {
	ge, lt      int64
	hiInclusive bool
}

func (w window) has(t int64) bool {
	if w.ge != 0 && t < w.ge {
		return false
	}
	if w.lt != 0 && (t > w.lt || t == w.lt && !w.hiInclusive) {
		return false
	}
	return true
}

func queryWindow(q url.Values, geKey, ltKey string) (window, *apiError) {
	var w window
	for _, p := range []struct {
		key string
		dst *int64
	}{{geKey, &w.ge}, {ltKey, &w.lt}} {
		if v := q.Get(p.key); v != "" {
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil || n < 0 {
				return w, paramErr("%s must be a Unix time", p.key)
			}
			*p.dst = n
		}
	}
	return w, nil
}

// strList accepts a JSON string or an array of strings, since filters differ between endpoints.
type strList []string

func (l *strList) UnmarshalJSON(b []byte) error {
	var one string
	if err := json.Unmarshal(b, &one); err == nil {
		if one != "" {
			*l = strList{one}
		}
		return nil
	}
	var many []string
	if err := json.Unmarshal(b, &many); err != nil {
		return err
	}
	*l = many
	return nil
}

func (l strList) allows(v string) bool { return len(l) == 0 || slices.Contains(l, v) }

func decodeBody(c *call, dst any) *apiError {
	if len(bytes.TrimSpace(c.body)) == 0 {
		return nil
	}
	if err := json.Unmarshal(c.body, dst); err != nil {
		return paramErr("invalid request body: %v", err)
	}
	return nil
}

func splitIDs(v string) []string {
	var out []string
	for _, id := range strings.Split(v, ",") {
		if id = strings.TrimSpace(id); id != "" {
			out = append(out, id)
		}
	}
	return out
}
