package sandbox

import (
	"fmt"
	"slices"
)

type refundAmount struct {
	Currency          string `json:"currency"`
	RefundTotal       string `json:"refund_total"`
	RefundSubtotal    string `json:"refund_subtotal"`
	RefundShippingFee string `json:"refund_shipping_fee"`
	RefundTax         string `json:"refund_tax"`
}

type returnLineItem struct {
	ReturnLineItemID string       `json:"return_line_item_id"`
	OrderLineItemID  string       `json:"order_line_item_id"`
	SKUID            string       `json:"sku_id"`
	SellerSKU        string       `json:"seller_sku"`
	ProductName      string       `json:"product_name"`
	SKUName          string       `json:"sku_name"`
	RefundAmount     refundAmount `json:"refund_amount"`
}

type nextAction struct {
	Action   string `json:"action"`
	Deadline int64  `json:"deadline"`
}

type returnShippingFee struct {
	Currency                    string `json:"currency"`
	SellerPaidReturnShippingFee string `json:"seller_paid_return_shipping_fee"`
}

type returnView struct {
	ReturnID                  string              `json:"return_id"`
	OrderID                   string              `json:"order_id"`
	ReturnType                string              `json:"return_type"`
	ReturnStatus              string              `json:"return_status"`
	ArbitrationStatus         string              `json:"arbitration_status,omitempty"`
	ReturnReason              string              `json:"return_reason"`
	ReturnReasonText          string              `json:"return_reason_text"`
	CreateTime                int64               `json:"create_time"`
	UpdateTime                int64               `json:"update_time"`
	RefundAmount              refundAmount        `json:"refund_amount"`
	ReturnLineItems           []returnLineItem    `json:"return_line_items"`
	ShippingFeeAmount         []returnShippingFee `json:"shipping_fee_amount"`
	SellerNextActionResponses []nextAction        `json:"seller_next_action_response"`
}

func reasonText(code string) string {
	for _, r := range returnReasons {
		if r.code == code {
			return r.text
		}
	}
	return ""
}

func renderReturn(rt *returnRecord, now int64) returnView {
	ev, _ := rt.at(now)
	o := rt.order
	li := o.items[rt.item]
	cur := o.shop.currency
	amt := refundAmount{Currency: cur, RefundTotal: money(rt.refundSub + rt.refundTax), RefundSubtotal: money(rt.refundSub),
		RefundShippingFee: money(0), RefundTax: money(rt.refundTax)}
	v := returnView{
		ReturnID: rt.id, OrderID: o.id, ReturnType: rt.kind, ReturnStatus: ev.status,
		ReturnReason: rt.reason, ReturnReasonText: reasonText(rt.reason),
		CreateTime: rt.created(), UpdateTime: ev.at, RefundAmount: amt,
		ReturnLineItems: []returnLineItem{{
			ReturnLineItemID: "41" + rt.id[2:], OrderLineItemID: li.id, SKUID: li.sku.id, SellerSKU: li.sku.sellerSKU,
			ProductName: li.sku.product.title, SKUName: li.sku.name, RefundAmount: amt,
		}},
		ShippingFeeAmount:         []returnShippingFee{{Currency: cur, SellerPaidReturnShippingFee: money(rt.returnFee)}},
		SellerNextActionResponses: []nextAction{},
	}
	if ev.action != "" {
		v.SellerNextActionResponses = append(v.SellerNextActionResponses, nextAction{Action: ev.action, Deadline: ev.deadline})
	}
	return v
}

type returnsPage struct {
	TotalCount    int          `json:"total_count"`
	NextPageToken string       `json:"next_page_token"`
	ReturnOrders  []returnView `json:"return_orders"`
}

func (s *Sandbox) searchReturns(c *call) (any, *apiError) {
	var f struct {
		ReturnIDs    strList `json:"return_ids"`
		OrderIDs     strList `json:"order_ids"`
		ReturnTypes  strList `json:"return_types"`
		ReturnStatus strList `json:"return_status"`
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
	key := fmt.Sprintf("%v|%v|%v|%v|%+v|%s|%v|%d", f.ReturnIDs, f.OrderIDs, f.ReturnTypes, f.ReturnStatus, f.timeFilters, field, desc, slop)
	sh := c.shop
	idx := s.cached(fmt.Sprintf("returns|%s|%s|%d", sh.id, key, sh.version(c.now)), func() []int {
		var out []int
		for i, rt := range sh.returns {
			ev, ok := rt.at(c.now)
			if ok && created.has(rt.created()) && updated.has(ev.at) && f.ReturnIDs.allows(rt.id) &&
				f.OrderIDs.allows(rt.order.id) && f.ReturnTypes.allows(rt.kind) && f.ReturnStatus.allows(ev.status) {
				out = append(out, i)
			}
		}
		sortByTime(out, func(i int) int64 {
			if field == "update_time" {
				ev, _ := sh.returns[i].at(c.now)
				return ev.at
			}
			return sh.returns[i].created()
		})
		if desc {
			slices.Reverse(out)
		}
		return out
	})
	from, to, next, e := page(c, key, len(idx), 10, 50, 0, 0)
	if e != nil {
		return nil, e
	}
	p := returnsPage{TotalCount: len(idx), NextPageToken: next, ReturnOrders: make([]returnView, 0, to-from)}
	for _, i := range idx[from:to] {
		p.ReturnOrders = append(p.ReturnOrders, renderReturn(sh.returns[i], c.now))
	}
	return p, nil
}

type productPrice struct {
	Currency          string `json:"currency"`
	SalePrice         string `json:"sale_price"`
	TaxExclusivePrice string `json:"tax_exclusive_price"`
}

type productInventory struct {
	WarehouseID string `json:"warehouse_id"`
	Quantity    int64  `json:"quantity"`
}

type productSKU struct {
	ID        string             `json:"id"`
	SellerSKU string             `json:"seller_sku"`
	Price     productPrice       `json:"price"`
	Inventory []productInventory `json:"inventory"`
}

type productView struct {
	ID           string       `json:"id"`
	Title        string       `json:"title"`
	Status       string       `json:"status"`
	CreateTime   int64        `json:"create_time"`
	UpdateTime   int64        `json:"update_time"`
	SalesRegions []string     `json:"sales_regions"`
	SKUs         []productSKU `json:"skus"`
}

type productsPage struct {
	TotalCount    int           `json:"total_count"`
	NextPageToken string        `json:"next_page_token"`
	Products      []productView `json:"products"`
}

// productSearchCap is how far the real product search pages: beyond it, split the query by time window.
const productSearchCap = 10000

func (s *Sandbox) searchProducts(c *call) (any, *apiError) {
	var f struct {
		Status       string `json:"status"`
		CreateTimeGe int64  `json:"create_time_ge"`
		CreateTimeLe int64  `json:"create_time_le"`
		UpdateTimeGe int64  `json:"update_time_ge"`
		UpdateTimeLe int64  `json:"update_time_le"`
	}
	if e := decodeBody(c, &f); e != nil {
		return nil, e
	}
	created := window{ge: f.CreateTimeGe, lt: f.CreateTimeLe, hiInclusive: true}
	updated := window{ge: f.UpdateTimeGe, lt: f.UpdateTimeLe, hiInclusive: true}
	sh := c.shop
	var idx []int
	for i, p := range sh.products {
		if (f.Status == "" || f.Status == "ALL" || f.Status == p.status) && created.has(p.createTime) && updated.has(p.updateTime) {
			idx = append(idx, i)
		}
	}
	from, to, next, e := page(c, fmt.Sprintf("%+v", f), len(idx), 1, 100, 0, productSearchCap)
	if e != nil {
		return nil, e
	}
	out := productsPage{TotalCount: len(idx), NextPageToken: next, Products: make([]productView, 0, to-from)}
	for _, i := range idx[from:to] {
		p := sh.products[i]
		v := productView{ID: p.id, Title: p.title, Status: p.status, CreateTime: p.createTime, UpdateTime: p.updateTime,
			SalesRegions: []string{sh.region}}
		for _, k := range p.skus {
			v.SKUs = append(v.SKUs, productSKU{
				ID: k.id, SellerSKU: k.sellerSKU,
				Price:     productPrice{Currency: sh.currency, SalePrice: money(k.price), TaxExclusivePrice: money(k.price)},
				Inventory: []productInventory{{WarehouseID: k.warehouseID, Quantity: k.inventory}},
			})
		}
		out.Products = append(out.Products, v)
	}
	return out, nil
}
