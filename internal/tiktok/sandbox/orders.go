package sandbox

import (
	"cmp"
	"fmt"
	"math/rand/v2"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
)

type orderPayment struct {
	Currency                    string `json:"currency"`
	SubTotal                    string `json:"sub_total"`
	ShippingFee                 string `json:"shipping_fee"`
	SellerDiscount              string `json:"seller_discount"`
	PlatformDiscount            string `json:"platform_discount"`
	TotalAmount                 any    `json:"total_amount"` // a number only when Faults.MalformedOrder says so
	OriginalTotalProductPrice   string `json:"original_total_product_price"`
	OriginalShippingFee         string `json:"original_shipping_fee"`
	ShippingFeeSellerDiscount   string `json:"shipping_fee_seller_discount"`
	ShippingFeePlatformDiscount string `json:"shipping_fee_platform_discount"`
	Tax                         string `json:"tax"`
	ProductTax                  string `json:"product_tax"`
	ShippingFeeTax              string `json:"shipping_fee_tax"`
	RetailDeliveryFee           string `json:"retail_delivery_fee"`
}

type orderLineItem struct {
	ID               string `json:"id"`
	SKUID            string `json:"sku_id"`
	SellerSKU        string `json:"seller_sku"`
	ProductID        string `json:"product_id"`
	ProductName      string `json:"product_name"`
	SKUName          string `json:"sku_name"`
	SKUType          string `json:"sku_type"`
	OriginalPrice    string `json:"original_price"`
	SalePrice        string `json:"sale_price"`
	SellerDiscount   string `json:"seller_discount"`
	PlatformDiscount string `json:"platform_discount"`
	Currency         string `json:"currency"`
	DisplayStatus    string `json:"display_status"`
	IsGift           bool   `json:"is_gift"`
}

type recipientAddress struct {
	Name         string `json:"name"`
	FirstName    string `json:"first_name"`
	LastName     string `json:"last_name"`
	PhoneNumber  string `json:"phone_number"`
	FullAddress  string `json:"full_address"`
	AddressLine1 string `json:"address_line1"`
	AddressLine2 string `json:"address_line2"`
	AddressLine3 string `json:"address_line3"`
	AddressLine4 string `json:"address_line4"`
	PostalCode   string `json:"postal_code"`
	RegionCode   string `json:"region_code"`
}

type orderView struct {
	ID               string           `json:"id"`
	Status           string           `json:"status"`
	CreateTime       int64            `json:"create_time"`
	UpdateTime       int64            `json:"update_time"`
	PaidTime         int64            `json:"paid_time,omitempty"`
	RTSTime          int64            `json:"rts_time,omitempty"`
	DeliveryTime     int64            `json:"delivery_time,omitempty"`
	CancelTime       int64            `json:"cancel_time,omitempty"`
	CancelReason     string           `json:"cancel_reason,omitempty"`
	IsSampleOrder    bool             `json:"is_sample_order"`
	FulfillmentType  string           `json:"fulfillment_type"`
	ShippingType     string           `json:"shipping_type"`
	PaymentMethod    string           `json:"payment_method_name"`
	Payment          orderPayment     `json:"payment"`
	LineItems        []orderLineItem  `json:"line_items"`
	RecipientAddress recipientAddress `json:"recipient_address"`
	BuyerEmail       string           `json:"buyer_email"`
	BuyerMessage     string           `json:"buyer_message"`
	UserID           string           `json:"user_id"`
}

func seen(t, now int64) int64 {
	if t != 0 && t <= now {
		return t
	}
	return 0
}

func (s *Sandbox) renderOrder(o *order, now int64, malformed bool) orderView {
	status, updated := o.status(now)
	cur := o.shop.currency
	var orig, sd, pd int64
	items := make([]orderLineItem, 0, len(o.items))
	for _, li := range o.items {
		orig += li.original
		sd += li.sellerDisc
		pd += li.platformDisc
		items = append(items, orderLineItem{
			ID: li.id, SKUID: li.sku.id, SellerSKU: li.sku.sellerSKU, ProductID: li.sku.product.id,
			ProductName: li.sku.product.title, SKUName: li.sku.name, SKUType: "NORMAL",
			OriginalPrice: money(li.original), SalePrice: money(li.sale()), SellerDiscount: money(li.sellerDisc),
			PlatformDiscount: money(li.platformDisc), Currency: cur, DisplayStatus: status,
		})
	}
	sub := orig - sd - pd
	ship := o.shipOriginal - o.shipSeller - o.shipPlatform
	productTax, shipTax := pct(sub, o.taxBps), pct(ship, o.taxBps)
	total := sub + ship + productTax + shipTax
	v := orderView{
		ID: o.id, Status: status, CreateTime: o.created, UpdateTime: updated,
		PaidTime: seen(o.paid, now), RTSTime: seen(o.shipped, now), DeliveryTime: seen(o.deliv, now),
		CancelTime: seen(o.cancel, now), IsSampleOrder: o.sample,
		FulfillmentType: "FULFILLMENT_BY_SELLER", ShippingType: "TIKTOK", PaymentMethod: "Card",
		Payment: orderPayment{
			Currency: cur, SubTotal: money(sub), ShippingFee: money(ship), SellerDiscount: money(sd),
			PlatformDiscount: money(pd), TotalAmount: money(total), OriginalTotalProductPrice: money(orig),
			OriginalShippingFee: money(o.shipOriginal), ShippingFeeSellerDiscount: money(o.shipSeller),
			ShippingFeePlatformDiscount: money(o.shipPlatform), Tax: money(productTax + shipTax),
			ProductTax: money(productTax), ShippingFeeTax: money(shipTax), RetailDeliveryFee: money(0),
		},
		LineItems: items,
	}
	if v.CancelTime != 0 {
		v.CancelReason = o.reason
	}
	if malformed {
		v.Payment.TotalAmount = float64(total) / 100
	}
	s.fillBuyer(&v, o)
	return v
}

// fillBuyer makes up the buyer's details from the order's own seed: names from lists, fictional phone ranges
// (555-01xx in the US, 07700 900xxx in the UK) and an address on the .invalid domain for the anonymized email; the
// TikTok user id is the order's buyer's (assignBuyers), the same on every order of theirs.
func (s *Sandbox) fillBuyer(v *orderView, o *order) {
	r := rand.New(rand.NewPCG(o.piiSeed, uint64(s.cfg.Seed)))
	first, last := firstNames[r.IntN(len(firstNames))], lastNames[r.IntN(len(lastNames))]
	a := recipientAddress{Name: first + " " + last, FirstName: first, LastName: last, RegionCode: o.shop.region}
	if o.shop.region == "US" {
		c := usCities[r.IntN(len(usCities))]
		a.PhoneNumber = fmt.Sprintf("(+1)555-01%02d", r.IntN(100))
		a.AddressLine1 = fmt.Sprintf("%d %s", between(r, 10, 9899), streets[r.IntN(len(streets))])
		if chance(r, 0.2) {
			a.AddressLine2 = fmt.Sprintf("Apt %d", between(r, 1, 40))
		}
		a.AddressLine3, a.AddressLine4 = c.city, c.state
		a.PostalCode = c.zip + fmt.Sprintf("%02d", r.IntN(100))
		a.FullAddress = strings.Join(nonEmpty(a.AddressLine1, a.AddressLine2, c.city, c.state, a.PostalCode, "United States"), ", ")
	} else {
		c := ukCities[r.IntN(len(ukCities))]
		a.PhoneNumber = fmt.Sprintf("(+44)7700900%03d", r.IntN(1000))
		a.AddressLine1 = fmt.Sprintf("%d %s", between(r, 1, 180), ukStreets[r.IntN(len(ukStreets))])
		a.AddressLine3, a.AddressLine4 = c.city, c.county
		a.PostalCode = fmt.Sprintf("%s%d %d%c%c", c.pc, between(r, 1, 19), r.IntN(10), 'A'+r.IntN(26), 'A'+r.IntN(26))
		a.FullAddress = strings.Join(nonEmpty(a.AddressLine1, c.city, c.county, a.PostalCode, "United Kingdom"), ", ")
	}
	v.RecipientAddress = a
	v.BuyerEmail = strings.ToLower(base64URL(r, 9)) + "@scs.buyer-anon.invalid"
	v.BuyerMessage = buyerMessages[r.IntN(len(buyerMessages))]
	v.UserID = buyerID(o.shop, o.buyer)
}

func nonEmpty(v ...string) []string {
	return slices.DeleteFunc(v, func(s string) bool { return s == "" })
}

// search is the result of one query over one version of a shop's data, built once however many requests ask.
type search struct {
	once sync.Once
	idx  []int
}

// cached returns the indexes of the items matching a query, so paging a big shop does not filter and sort for
// every page. key must name the query, the shop and the shop's data version as of the request (shop.version):
// the result then holds for every request until the next change in the shop's data, not just for one second.
// Concurrent requests for one key wait for a single build.
func (s *Sandbox) cached(key string, build func() []int) []int {
	s.mu.Lock()
	r := s.searchCache[key]
	if r == nil {
		if len(s.searchCache) >= 32 {
			clear(s.searchCache)
		}
		r = &search{}
		s.searchCache[key] = r
	}
	s.mu.Unlock()
	r.once.Do(func() { r.idx = build() })
	return r.idx
}

// sortByTime sorts indexes by a time computed once per index, ties in index order (as a stable sort would), by
// sorting packed integers. Times must fit in 32 bits (Unix seconds until 2106), and indexes too.
func sortByTime(idx []int, at func(i int) int64) {
	packed := make([]uint64, len(idx))
	for k, i := range idx {
		packed[k] = uint64(at(i))<<32 | uint64(uint32(i))
	}
	slices.Sort(packed)
	for k, p := range packed {
		idx[k] = int(uint32(p))
	}
}

type timeFilters struct {
	CreateTimeGe int64 `json:"create_time_ge"`
	CreateTimeLt int64 `json:"create_time_lt"`
	UpdateTimeGe int64 `json:"update_time_ge"`
	UpdateTimeLt int64 `json:"update_time_lt"`
}

func (f timeFilters) windows(slop time.Duration) (created, updated window) {
	created = window{ge: f.CreateTimeGe, lt: f.CreateTimeLt}
	updated = window{ge: f.UpdateTimeGe, lt: f.UpdateTimeLt}
	if d := int64(slop / time.Second); d > 0 {
		if updated.ge != 0 {
			updated.ge = max(1, updated.ge-d)
		}
		if updated.lt != 0 {
			updated.lt += d
		}
	}
	return created, updated
}

func sortField(c *call, allowed ...string) (string, *apiError) {
	v := c.query.Get("sort_field")
	if v == "" {
		return allowed[0], nil
	}
	if !slices.Contains(allowed, v) {
		return "", paramErr("sort_field must be one of %s", strings.Join(allowed, ", "))
	}
	return v, nil
}

type ordersPage struct {
	TotalCount    int         `json:"total_count"`
	NextPageToken string      `json:"next_page_token"`
	Orders        []orderView `json:"orders"`
}

func (s *Sandbox) searchOrders(c *call) (any, *apiError) {
	var f struct {
		OrderStatus strList `json:"order_status"`
		timeFilters
	}
	if e := decodeBody(c, &f); e != nil {
		return nil, e
	}
	field, e := sortField(c, "create_time", "update_time")
	if e != nil {
		return nil, e
	}
	desc, e := sortOrder(c.query, "DESC")
	if e != nil {
		return nil, e
	}
	slop := s.CurrentFaults().UpdateTimeSlop
	created, updated := f.windows(slop)
	key := fmt.Sprintf("%v|%+v|%s|%v|%d", f.OrderStatus, f.timeFilters, field, desc, slop)
	sh := c.shop
	idx := s.cached(fmt.Sprintf("orders|%s|%s|%d", sh.id, key, sh.version(c.now)), func() []int {
		keep := func(o *order, status string, up int64) bool {
			return created.has(o.created) && updated.has(up) && f.OrderStatus.allows(status)
		}
		var out []int
		if field == "update_time" {
			out = s.updatedIn(sh, c.now, updated, f.OrderStatus, created, slop)
		} else {
			for i, o := range sh.orders { // already by create time
				if st, up := o.status(c.now); keep(o, st, up) {
					out = append(out, i)
				}
			}
		}
		if desc {
			slices.Reverse(out)
		}
		return out
	})
	from, to, next, e := page(c, key, len(idx), 1, 100, 0, 0)
	if e != nil {
		return nil, e
	}
	p := ordersPage{TotalCount: len(idx), NextPageToken: next, Orders: make([]orderView, 0, to-from)}
	bad := s.CurrentFaults().MalformedOrder
	for _, i := range idx[from:to] {
		o := sh.orders[i]
		p.Orders = append(p.Orders, s.renderOrder(o, c.now, bad && o == s.malformed))
	}
	return p, nil
}

// updatedIn returns the indexes of the orders of the created window and statuses whose update time is in the
// updated window, by update time. The whole list by update time is cached without the updated window, so the
// keyset reads a sync makes (each page a search from the previous page's last update time, a new query every
// time) cut a slice out of it instead of filtering and sorting the whole shop for every page.
func (s *Sandbox) updatedIn(sh *shop, now int64, updated window, statuses strList, created window, slop time.Duration) []int {
	byUpdate := s.cached(fmt.Sprintf("orders-by-update|%s|%v|%+v|%d|%d", sh.id, statuses, created, slop, sh.version(now)), func() []int {
		return sh.ordersByUpdate(now, func(o *order, status string, _ int64) bool {
			return created.has(o.created) && statuses.allows(status)
		})
	})
	up := func(i int) int64 { _, u := sh.orders[i].status(now); return u }
	lo := 0
	if updated.ge != 0 {
		lo = sort.Search(len(byUpdate), func(k int) bool { return up(byUpdate[k]) >= updated.ge })
	}
	hi := len(byUpdate)
	if updated.lt != 0 {
		hi = sort.Search(len(byUpdate), func(k int) bool {
			u := up(byUpdate[k])
			return u > updated.lt || u == updated.lt && !updated.hiInclusive
		})
	}
	return slices.Clone(byUpdate[lo:max(lo, hi)])
}

// ordersByUpdate returns the indexes of the orders keep accepts, by update time as of now, ties in index order.
// Orders whose every event has happened are already in that order in byLastEvent; only the ones still changing
// (the last few weeks' orders) are sorted and merged in, so a search over 100,000 orders sorts a few thousand.
func (sh *shop) ordersByUpdate(now int64, keep func(o *order, status string, updated int64) bool) []int {
	type hit struct {
		i  int
		up int64
	}
	before := func(a, b hit) bool { return a.up < b.up || a.up == b.up && a.i < b.i }
	settled := make([]hit, 0, len(sh.orders))
	var moving []hit
	for _, i := range sh.byLastEvent {
		o := sh.orders[i]
		st, up := o.status(now)
		switch {
		case !keep(o, st, up):
		case up == o.lastEvent():
			settled = append(settled, hit{i, up})
		default:
			moving = append(moving, hit{i, up})
		}
	}
	slices.SortFunc(moving, func(a, b hit) int { return cmp.Or(cmp.Compare(a.up, b.up), cmp.Compare(a.i, b.i)) })
	out := make([]int, 0, len(settled)+len(moving))
	for len(settled) > 0 || len(moving) > 0 {
		if len(moving) == 0 || len(settled) > 0 && before(settled[0], moving[0]) {
			out, settled = append(out, settled[0].i), settled[1:]
		} else {
			out, moving = append(out, moving[0].i), moving[1:]
		}
	}
	return out
}

// orderByID finds an order from the shop, day and position its id encodes.
func (sh *shop) orderByID(id string) *order {
	if len(id) != 18 || !strings.HasPrefix(id, "576") || id[3] != byte('0'+sh.idx) {
		return nil
	}
	dayNum, err1 := strconv.ParseInt(id[4:9], 10, 64)
	i, err2 := strconv.Atoi(id[9:15])
	if err1 != nil || err2 != nil {
		return nil
	}
	start, ok := sh.dayStart[dayNum]
	if !ok || start+i >= len(sh.orders) {
		return nil
	}
	if o := sh.orders[start+i]; o.id == id {
		return o
	}
	return nil
}

func (s *Sandbox) orderDetail(c *call) (any, *apiError) {
	ids := splitIDs(c.query.Get("ids"))
	if len(ids) == 0 || len(ids) > 50 {
		return nil, paramErr("ids must name 1 to 50 orders")
	}
	bad := s.CurrentFaults().MalformedOrder
	out := struct {
		Orders []orderView `json:"orders"`
	}{Orders: []orderView{}}
	for _, id := range ids {
		if o := c.shop.orderByID(id); o != nil {
			out.Orders = append(out.Orders, s.renderOrder(o, c.now, bad && o == s.malformed))
		}
	}
	return out, nil
}
