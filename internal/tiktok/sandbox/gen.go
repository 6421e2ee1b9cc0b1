package sandbox

import (
	"fmt"
	"hash/fnv"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"time"
)

const day = 24 * 60 * 60

// shop is one seller shop as the sandbox holds it.
type shop struct {
	idx        int
	id         string
	name       string
	region     string
	currency   string
	cipher     string
	code       string
	sellerType string
	seller     int // index into Sandbox.sellers

	products []*product
	skus     []*sku // active skus that orders draw from
	orders   []*order
	// dayStart maps an order-id day number to the index of that day's first order in orders.
	dayStart map[int64]int
	// byLastEvent indexes orders by the time of their last event, ties in index order (see ordersByUpdate).
	byLastEvent []int

	returns    []*returnRecord // by create time
	statements []*statement    // by statement_time ascending
	payments   []*payment      // one per statement, same order

	// changes are the times at which what the shop serves changes, sorted (see indexChanges).
	changes []int64
}

// indexChanges lists every time at which what the shop serves changes: each event of an order and of its
// return, and each statement's day. Searches are cached by version (the number of changes up to now), so what a
// cached search filters and sorts on must change only at these times.
func (sh *shop) indexChanges() {
	t := make([]int64, 0, 6*len(sh.orders)+4*len(sh.returns)+len(sh.statements))
	for _, o := range sh.orders {
		t = append(t, o.created, o.paid, o.shipped, o.deliv, o.done, o.cancel)
		if o.ret != nil {
			for _, ev := range o.ret.events {
				t = append(t, ev.at)
			}
		}
	}
	for _, st := range sh.statements {
		t = append(t, st.time)
	}
	slices.Sort(t)
	t = slices.Compact(t)
	if len(t) > 0 && t[0] == 0 { // an event that never happens
		t = t[1:]
	}
	sh.changes = slices.Clip(t)
}

// version counts the changes to the shop's data at or before now: two moments of one version see the same data.
func (sh *shop) version(now int64) int {
	n, _ := slices.BinarySearch(sh.changes, now+1)
	return n
}

type product struct {
	id         string
	title      string
	status     string
	createTime int64
	updateTime int64
	skus       []*sku
}

type sku struct {
	id          string
	sellerSKU   string
	name        string
	price       int64
	inventory   int64
	warehouseID string
	product     *product
}

type lineItem struct {
	id           string
	sku          *sku
	original     int64
	sellerDisc   int64
	platformDisc int64
}

func (li lineItem) sale() int64 { return li.original - li.sellerDisc - li.platformDisc }

// order holds an order's whole life: event times beyond the clock's now are the future and stay hidden until the
// clock reaches them, so a sandbox on a fake clock sees orders progress.
type order struct {
	id      string
	shop    *shop
	created int64
	paid    int64 // 0: never paid
	shipped int64
	deliv   int64
	done    int64 // COMPLETED, which is also when TikTok settles it
	cancel  int64
	reason  string

	sample       bool
	items        []lineItem
	shipOriginal int64
	shipSeller   int64
	shipPlatform int64
	taxBps       int64
	labelCost    int64
	affiliateBps int64
	sfp          bool
	piiSeed      uint64
	buyer        uint64 // who bought it: the same number is the same buyer (see assignBuyers)

	ret       *returnRecord
	statement *statement
}

type retEvent struct {
	at       int64
	status   string
	action   string
	deadline int64
}

type returnRecord struct {
	id        string
	order     *order
	kind      string
	reason    string
	item      int // index of the refunded line item
	events    []retEvent
	refunded  bool // the final state pays the refund
	refundSub int64
	refundTax int64
	returnFee int64 // seller-paid return label
}

func (r *returnRecord) created() int64 { return r.events[0].at }
func (r *returnRecord) final() int64   { return r.events[len(r.events)-1].at }

// at reports the return's latest event at or before now.
func (r *returnRecord) at(now int64) (retEvent, bool) {
	var ev retEvent
	ok := false
	for _, e := range r.events {
		if e.at > now {
			break
		}
		ev, ok = e, true
	}
	return ev, ok
}

// lastEvent is the order's update time once its life is over.
func (o *order) lastEvent() int64 {
	_, t := o.status(math.MaxInt64)
	return t
}

// status reports the order's status and last update as of now.
func (o *order) status(now int64) (string, int64) {
	switch {
	case o.cancel != 0 && o.cancel <= now:
		return "CANCELLED", o.cancel
	case o.done != 0 && o.done <= now:
		return "COMPLETED", o.done
	case o.deliv != 0 && o.deliv <= now:
		return "DELIVERED", o.deliv
	case o.shipped != 0 && o.shipped <= now:
		return "IN_TRANSIT", o.shipped
	case o.paid != 0 && o.paid <= now:
		return "AWAITING_SHIPMENT", o.paid
	}
	return "UNPAID", o.created
}

func newRand(seed int64, parts ...string) *rand.Rand {
	h := fnv.New64a()
	for _, p := range parts {
		h.Write([]byte(p))
		h.Write([]byte{0})
	}
	return rand.New(rand.NewPCG(uint64(seed), h.Sum64()))
}

func between(r *rand.Rand, lo, hi int64) int64 { return lo + r.Int64N(hi-lo+1) }

func chance(r *rand.Rand, p float64) bool { return r.Float64() < p }

type catalogEntry struct {
	title    string
	price    int64 // USD cents
	variants []string
}

var catalog = []catalogEntry{
	{"Ceramic Pour-Over Coffee Set", 3400, []string{"White", "Sage"}},
	{"Bamboo Cutting Board", 2400, []string{"Medium", "Large"}},
	{"Linen Tea Towels (Set of 3)", 1850, nil},
	{"Glass Meal Prep Containers", 2999, []string{"5-Pack", "10-Pack"}},
	{"Insulated Water Bottle 750ml", 2200, []string{"Black", "Ocean", "Blush"}},
	{"Silicone Baking Mat", 1299, nil},
	{"Scented Soy Candle", 1600, []string{"Fig", "Cedar", "Vanilla"}},
	{"Matte Ceramic Planter", 1900, []string{"Small", "Large"}},
	{"Wireless Charging Pad", 2750, nil},
	{"Cotton Throw Blanket", 4500, []string{"Oat", "Charcoal"}},
	{"Magnetic Knife Strip", 2100, nil},
	{"Reusable Beeswax Wraps", 1400, nil},
	{"Ultrasonic Aroma Diffuser", 3900, nil},
	{"Hair Claw Clips (4 Pack)", 999, []string{"Neutrals", "Tortoise"}},
	{"LED Vanity Mirror", 4900, nil},
	{"Stoneware Mug Set", 3200, []string{"Speckled", "Midnight"}},
}

var shopNames = []string{"Maple & Moss Home", "Harbour Lane Living", "Juniper Kitchen Co", "Northlight Goods", "Copper Fern Studio", "Tidewater Supply", "Bramble House", "Saltbox Provisions", "Quiet Cove Crafts"}

var sellerNames = []string{"Maple & Moss LLC", "Juniper Trading Ltd", "Copper Fern Goods Inc", "Saltbox Holdings", "Quiet Cove Ltd"}

var firstNames = []string{"Olivia", "Liam", "Emma", "Noah", "Ava", "Oliver", "Sophia", "Elijah", "Isabella", "James", "Mia", "Amelia", "Lucas", "Harper", "Mason", "Evelyn", "Ethan", "Aria", "Logan", "Chloe", "Jack", "Grace", "Henry", "Zoe", "Leo", "Nora", "Isla", "Freya", "Alfie", "Poppy"}

var lastNames = []string{"Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis", "Martinez", "Lopez", "Wilson", "Anderson", "Taylor", "Thomas", "Moore", "Jackson", "Martin", "Lee", "Walker", "Hall", "Evans", "Wright", "Hughes", "Patel", "Clarke", "Turner"}

var streets = []string{"Maple Ave", "Oak St", "Pine Rd", "Cedar Ln", "Elm St", "Lakeview Dr", "Sunset Blvd", "Willow Way", "Highland Ave", "River Rd"}

var ukStreets = []string{"High Street", "Station Road", "Church Lane", "Victoria Road", "Mill Lane", "Park Avenue", "Queens Road", "The Crescent"}

var usCities = []struct{ city, state, zip string }{{"Austin", "Texas", "787"}, {"Columbus", "Ohio", "432"}, {"Denver", "Colorado", "802"}, {"Portland", "Oregon", "972"}, {"Raleigh", "North Carolina", "276"}, {"Tampa", "Florida", "336"}, {"Madison", "Wisconsin", "537"}, {"Boise", "Idaho", "837"}}

var ukCities = []struct{ city, county, pc string }{{"Leeds", "West Yorkshire", "LS"}, {"Bristol", "Bristol", "BS"}, {"Norwich", "Norfolk", "NR"}, {"York", "North Yorkshire", "YO"}, {"Cardiff", "South Glamorgan", "CF"}, {"Brighton", "East Sussex", "BN"}}

var buyerMessages = []string{"", "", "", "", "Please leave at the back door.", "Gift - please no receipt in the box.", "Can you ship this quickly? It's for a birthday.", "Thank you!"}

var returnReasons = []struct{ code, text string }{
	{"ecom_order_delivered_refund_and_return_reason_damaged", "Damaged product"},
	{"ecom_order_delivered_refund_and_return_reason_not_as_described", "Item not as described"},
	{"ecom_order_delivered_refund_and_return_reason_wrong_item", "Wrong item was sent"},
	{"ecom_order_delivered_refund_and_return_reason_no_longer_needed", "No longer needed"},
	{"ecom_order_delivered_refund_reason_missing_parts", "Missing parts or accessories"},
}

func digits(r *rand.Rand, n int) string {
	var b strings.Builder
	for range n {
		b.WriteByte(byte('0' + r.IntN(10)))
	}
	return b.String()
}

func initials(s string) string {
	var b strings.Builder
	for _, w := range strings.Fields(s) {
		c := w[0]
		if c >= 'a' && c <= 'z' {
			c -= 'a' - 'A'
		}
		if c >= 'A' && c <= 'Z' {
			b.WriteByte(c)
		}
	}
	return b.String()
}

// genShops builds shops, sellers and catalogs. Shops 2i and 2i+1 belong to seller i, so one grant covers two shops.
func (s *Sandbox) genShops() {
	regions := []string{"US", "GB"}
	for i := range s.cfg.Shops {
		r := newRand(s.cfg.Seed, "shop", fmt.Sprint(i))
		region := regions[i%2]
		sh := &shop{
			idx:        i,
			id:         "7494" + fmt.Sprint(i+1) + digits(r, 14),
			name:       shopNames[(i+int(s.cfg.Seed&7))%len(shopNames)],
			region:     region,
			currency:   map[string]string{"US": "USD", "GB": "GBP"}[region],
			cipher:     "ROW_" + base64Std(r, 24),
			code:       region + "LC" + strings.ToUpper(fmt.Sprintf("%06x", r.Uint32()&0xffffff)),
			sellerType: "LOCAL",
			seller:     i / 2,
			dayStart:   map[int64]int{},
		}
		if i%2 == 1 {
			sh.sellerType = "CROSS_BORDER"
		}
		s.genCatalog(sh, r)
		s.shops = append(s.shops, sh)
	}
	for i := 0; i*2 < s.cfg.Shops; i++ {
		r := newRand(s.cfg.Seed, "seller", fmt.Sprint(i))
		sel := &seller{
			openID: "ROW_" + base64URL(r, 18),
			name:   sellerNames[i%len(sellerNames)],
			region: s.shops[i*2].region,
		}
		for _, sh := range s.shops {
			if sh.seller == i {
				sel.shops = append(sel.shops, sh)
			}
		}
		s.sellers = append(s.sellers, sel)
	}
}

func (s *Sandbox) genCatalog(sh *shop, r *rand.Rand) {
	anchor := s.anchor.Unix()
	warehouse := "7" + digits(r, 18)
	for p := range s.cfg.ProductsPerShop {
		c := catalog[(p+sh.idx*3)%len(catalog)]
		title := c.title
		if n := (p + sh.idx*3) / len(catalog); n > 0 {
			title = fmt.Sprintf("%s No. %d", title, n+1)
		}
		created := anchor - int64(s.cfg.Days)*day - between(r, 10, 200)*day
		pr := &product{
			id:         "1729" + fmt.Sprint(sh.idx) + fmt.Sprintf("%06d", p) + digits(r, 8),
			title:      title,
			status:     "ACTIVATE",
			createTime: created,
			updateTime: between(r, created, anchor-1),
		}
		if p == s.cfg.ProductsPerShop-1 && p > 2 {
			pr.status = "SELLER_DEACTIVATED"
		}
		price := c.price
		if sh.currency == "GBP" {
			price = price * 85 / 100 / 100 * 100
			if c.price%100 == 99 {
				price -= 1
			}
		}
		variants := c.variants
		if len(variants) == 0 {
			variants = []string{"Default"}
		}
		for v, name := range variants {
			sk := &sku{
				id:          "1731" + fmt.Sprint(sh.idx) + fmt.Sprintf("%06d%02d", p, v) + digits(r, 6),
				sellerSKU:   fmt.Sprintf("%s-%s-%d", initials(title), strings.ToUpper(name[:min(3, len(name))]), sh.idx+1),
				name:        name,
				price:       price + int64(v)*200,
				inventory:   between(r, 0, 480),
				warehouseID: warehouse,
				product:     pr,
			}
			pr.skus = append(pr.skus, sk)
			if pr.status == "ACTIVATE" {
				sh.skus = append(sh.skus, sk)
			}
		}
		sh.products = append(sh.products, pr)
	}
}

// genOrders creates every order of a shop, day by day, each day from its own random stream.
func (s *Sandbox) genOrders(sh *shop) {
	start := s.anchor.Unix() - int64(s.cfg.Days)*day
	for d := range s.cfg.Days {
		dayStart := start + int64(d)*day
		dayNum := dayStart / day
		r := newRand(s.cfg.Seed, "orders", sh.id, fmt.Sprint(d))
		n := s.cfg.OrdersPerDay
		if n > 2 {
			n = n*7/10 + r.IntN(n*6/10+1)
		}
		if wd := time.Unix(dayStart, 0).UTC().Weekday(); wd == time.Saturday || wd == time.Sunday {
			n = n * 115 / 100
		}
		times := make([]int64, n)
		for i := range times {
			times[i] = dayStart + r.Int64N(day)
		}
		slices.Sort(times)
		sh.dayStart[dayNum] = len(sh.orders)
		for i, t := range times {
			if t >= s.anchor.Unix() {
				t = s.anchor.Unix() - 1
			}
			sh.orders = append(sh.orders, s.genOrder(sh, r, dayNum, i, t))
		}
	}
	// The newest order always waits for payment, so every shop shows a fresh UNPAID order.
	if n := len(sh.orders); n > 0 {
		o := sh.orders[n-1]
		*o = order{id: o.id, shop: sh, created: o.created, sample: o.sample, cancel: o.created + day, reason: "Payment timeout",
			items: o.items, shipOriginal: o.shipOriginal, taxBps: o.taxBps, labelCost: o.labelCost, piiSeed: o.piiSeed}
	}
	sh.byLastEvent = make([]int, len(sh.orders))
	for i := range sh.byLastEvent {
		sh.byLastEvent[i] = i
	}
	sortByTime(sh.byLastEvent, func(i int) int64 { return sh.orders[i].lastEvent() })
}

func orderID(sh *shop, dayNum int64, i int) string {
	return fmt.Sprintf("576%d%05d%06d%03d", sh.idx, dayNum%100000, i, (dayNum*7+int64(i)*13)%1000)
}

func (s *Sandbox) genOrder(sh *shop, r *rand.Rand, dayNum int64, i int, created int64) *order {
	o := &order{id: orderID(sh, dayNum, i), shop: sh, created: created, piiSeed: r.Uint64()}
	o.sample = chance(r, 0.03)
	items := 1
	if x := r.Float64(); x > 0.92 {
		items = 3
	} else if x > 0.70 {
		items = 2
	}
	for k := range items {
		sk := sh.skus[r.IntN(len(sh.skus))]
		if k > 0 && chance(r, 0.15) {
			sk = o.items[0].sku // a second unit of the same SKU
		}
		li := lineItem{id: fmt.Sprintf("577%s%02d", o.id[3:], k), sku: sk, original: sk.price}
		switch {
		case o.sample:
			li.original = 0
		default:
			if chance(r, 0.25) {
				li.sellerDisc = pct(li.original, between(r, 10, 20)*100)
			}
			if chance(r, 0.15) {
				li.platformDisc = pct(li.original-li.sellerDisc, between(r, 5, 15)*100)
			}
		}
		o.items = append(o.items, li)
	}
	var sub int64
	for _, li := range o.items {
		sub += li.sale()
	}
	if sh.currency == "USD" {
		o.labelCost = between(r, 450, 750)
		o.taxBps = between(r, 0, 9) * 100
		if !o.sample && sub < 3500 {
			o.shipOriginal = 599
		}
		o.sfp = sh.idx == 0 && chance(r, 0.3)
	} else {
		o.labelCost = between(r, 280, 390)
		if !o.sample && sub < 2500 {
			o.shipOriginal = 349
		}
	}
	if o.shipOriginal > 0 {
		if chance(r, 0.2) {
			o.shipSeller = o.shipOriginal
		} else if chance(r, 0.1) {
			o.shipPlatform = o.shipOriginal
		}
	}
	if o.sample {
		o.taxBps = 0
	} else if chance(r, 0.3) {
		o.affiliateBps = between(r, 10, 20) * 100
	}

	h := int64(60 * 60)
	switch {
	case !o.sample && chance(r, 0.02):
		o.cancel = created + day
		o.reason = "Payment timeout"
		return o
	}
	o.paid = created + between(r, 30, 600)
	if !o.sample && chance(r, 0.04) {
		o.cancel = o.paid + between(r, h/2, 20*h)
		o.reason = "No longer needed"
		return o
	}
	o.shipped = o.paid + between(r, 8*h, 60*h)
	o.deliv = o.shipped + between(r, 2*day, 6*day)
	o.done = o.deliv + 7*day
	if !o.sample && chance(r, 0.08) {
		o.ret = s.genReturn(o, r)
		if f := o.ret.final() + day; f > o.done {
			o.done = f
		}
	}
	return o
}

func (s *Sandbox) genReturn(o *order, r *rand.Rand) *returnRecord {
	h := int64(60 * 60)
	rs := returnReasons[r.IntN(len(returnReasons))]
	rt := &returnRecord{id: "40" + o.id[2:], order: o, reason: rs.code, item: r.IntN(len(o.items))}
	li := o.items[rt.item]
	rt.refundSub = li.sale()
	rt.refundTax = pct(li.sale(), o.taxBps)
	created := o.deliv + between(r, 6*h, 4*day)
	pending := retEvent{at: created, status: "RETURN_OR_REFUND_REQUEST_PENDING", deadline: created + 48*h}
	// Sellers answer within the window, or TikTok approves on their behalf at the deadline.
	answered := min(created+between(r, h, 60*h), created+48*h)
	switch x := r.Float64(); {
	case x < 0.4:
		rt.kind = "REFUND"
		pending.action = "SELLER_RESPOND_REFUND"
		rt.events = []retEvent{pending}
		if chance(r, 0.15) {
			rt.events = append(rt.events, retEvent{at: answered, status: "REFUND_OR_RETURN_REQUEST_REJECT"})
		} else {
			rt.refunded = true
			rt.events = append(rt.events, retEvent{at: answered, status: "RETURN_OR_REFUND_REQUEST_COMPLETE"})
		}
	default:
		rt.kind = "RETURN_AND_REFUND"
		pending.action = "SELLER_RESPOND_RETURN"
		rt.events = []retEvent{pending}
		if chance(r, 0.1) {
			rt.events = append(rt.events, retEvent{at: created + between(r, h, 20*h), status: "RETURN_OR_REFUND_REQUEST_CANCEL"})
			break
		}
		shippedBack := answered + between(r, 12*h, 3*day)
		rt.events = append(rt.events,
			retEvent{at: answered, status: "AWAITING_BUYER_SHIP"},
			retEvent{at: shippedBack, status: "BUYER_SHIPPED_ITEM", action: "SELLER_RESPOND_RECEIVE_PACKAGE", deadline: shippedBack + 8*day},
			retEvent{at: shippedBack + between(r, 2*day, 5*day), status: "RETURN_OR_REFUND_REQUEST_COMPLETE"})
		rt.refunded = true
		rt.returnFee = o.labelCost * 8 / 10
	}
	return rt
}

// assignBuyers gives each order of the shop its buyer, after the shop's orders and returns are made (it draws
// nothing from their random streams, so the rest of the data is the same with or without it). Shops have repeat
// customers: about two orders a buyer, picked from the order's own seed. And every shop with returns has one serial
// returner: the buyer of its latest return still open when the sandbox starts and of the two returns before it
// (returns are sorted by creation), so a seller sees one buyer with three returns in 90 days.
func (s *Sandbox) assignBuyers(sh *shop) {
	pool := uint64(max(8, len(sh.orders)/2))
	for _, o := range sh.orders {
		o.buyer = 1 + o.piiSeed%pool
	}
	now := s.anchor.Unix()
	for i := len(sh.returns) - 1; i >= 2; i-- {
		if ev, ok := sh.returns[i].at(now); !ok || ev.deadline <= now || sh.returns[i-2].created() < now-90*day {
			continue
		}
		for _, rt := range sh.returns[i-2 : i+1] {
			rt.order.buyer = 0
		}
		return
	}
}

// buyerID is the TikTok user id of the shop's buyer b.
func buyerID(sh *shop, b uint64) string {
	h := fnv.New64a()
	fmt.Fprintf(h, "%s/buyer/%d", sh.id, b)
	return fmt.Sprintf("7%018d", h.Sum64()%1_000_000_000_000_000_000)
}
