package tiktok

import (
	"context"
	"encoding/json"
	"fmt"
	"iter"
	"net/url"
	"strings"
	"time"

	"github.com/profitline/profitline/internal/money"
)

// Order is one order as TikTok reports it. Status is open-ended: keep values this package does not list.
type Order struct {
	ID              string
	Status          string // UNPAID, ON_HOLD, AWAITING_SHIPMENT, PARTIALLY_SHIPPING, AWAITING_COLLECTION, IN_TRANSIT, DELIVERED, COMPLETED, CANCELLED, ...
	CreateTime      time.Time
	UpdateTime      time.Time
	PaidTime        time.Time
	DeliveryTime    time.Time
	CancelTime      time.Time
	IsSampleOrder   bool // a creator sample: zero price
	FulfillmentType string
	ShippingType    string // TIKTOK or SELLER
	Payment         OrderPayment
	LineItems       []LineItem // one unit each: TikTok has no quantity field (aggregate by SKU)
	Recipient       Recipient  // personal data: seal before storing
	BuyerEmail      string     // personal data (anonymized by TikTok)
	BuyerMessage    string     // personal data
	UserID          string
	Raw             json.RawMessage // the record as received, for sealing
}

// OrderPayment is what the buyer paid and who funded the discounts.
type OrderPayment struct {
	Currency                    string
	SubTotal                    money.Amount
	ShippingFee                 money.Amount
	SellerDiscount              money.Amount
	PlatformDiscount            money.Amount
	TotalAmount                 money.Amount
	OriginalTotalProductPrice   money.Amount
	OriginalShippingFee         money.Amount
	ShippingFeeSellerDiscount   money.Amount
	ShippingFeePlatformDiscount money.Amount
	Tax                         money.Amount
	ProductTax                  money.Amount
	ShippingFeeTax              money.Amount
	RetailDeliveryFee           money.Amount
	Other                       map[string]money.Amount // any other amount TikTok sends, by its key
}

// LineItem is one unit of one SKU in an order.
type LineItem struct {
	ID               string
	SkuID            string
	SellerSku        string
	ProductID        string
	ProductName      string
	SkuName          string
	Currency         string
	OriginalPrice    money.Amount
	SalePrice        money.Amount
	SellerDiscount   money.Amount
	PlatformDiscount money.Amount
	DisplayStatus    string
	IsGift           bool
}

// Recipient is the delivery address: personal data throughout.
type Recipient struct {
	Name         string
	FirstName    string
	LastName     string
	PhoneNumber  string
	FullAddress  string
	AddressLine1 string
	AddressLine2 string
	AddressLine3 string
	AddressLine4 string
	PostalCode   string
	RegionCode   string
}

type orderWire struct {
	ID              string `json:"id"`
	Status          string `json:"status"`
	CreateTime      int64  `json:"create_time"`
	UpdateTime      int64  `json:"update_time"`
	PaidTime        int64  `json:"paid_time"`
	DeliveryTime    int64  `json:"delivery_time"`
	CancelTime      int64  `json:"cancel_time"`
	IsSampleOrder   bool   `json:"is_sample_order"`
	FulfillmentType string `json:"fulfillment_type"`
	ShippingType    string `json:"shipping_type"`
	Payment         object `json:"payment"`
	LineItems       []struct {
		ID               string `json:"id"`
		SkuID            string `json:"sku_id"`
		SellerSku        string `json:"seller_sku"`
		ProductID        string `json:"product_id"`
		ProductName      string `json:"product_name"`
		SkuName          string `json:"sku_name"`
		Currency         string `json:"currency"`
		OriginalPrice    string `json:"original_price"`
		SalePrice        string `json:"sale_price"`
		SellerDiscount   string `json:"seller_discount"`
		PlatformDiscount string `json:"platform_discount"`
		DisplayStatus    string `json:"display_status"`
		IsGift           bool   `json:"is_gift"`
	} `json:"line_items"`
	RecipientAddress struct {
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
	} `json:"recipient_address"`
	BuyerEmail   string `json:"buyer_email"`
	BuyerMessage string `json:"buyer_message"`
	UserID       string `json:"user_id"`
}

func parseOrder(raw json.RawMessage) (Order, error) {
	var w orderWire
	if err := decodeRecord(raw, &w); err != nil {
		return Order{}, fmt.Errorf("order: %w", err)
	}
	f := fields{record: "order " + w.ID}
	o := Order{
		ID: w.ID, Status: w.Status,
		CreateTime: unixTime(w.CreateTime), UpdateTime: unixTime(w.UpdateTime), PaidTime: unixTime(w.PaidTime),
		DeliveryTime: unixTime(w.DeliveryTime), CancelTime: unixTime(w.CancelTime),
		IsSampleOrder: w.IsSampleOrder, FulfillmentType: w.FulfillmentType, ShippingType: w.ShippingType,
		Recipient:  Recipient(w.RecipientAddress),
		BuyerEmail: w.BuyerEmail, BuyerMessage: w.BuyerMessage, UserID: w.UserID,
		Raw: raw,
	}
	p := &o.Payment
	p.Currency = currencyOf(w.Payment)
	p.Other = f.looseAmounts("payment.", w.Payment, p.Currency, map[string]*money.Amount{
		"sub_total":                      &p.SubTotal,
		"shipping_fee":                   &p.ShippingFee,
		"seller_discount":                &p.SellerDiscount,
		"platform_discount":              &p.PlatformDiscount,
		"total_amount":                   &p.TotalAmount,
		"original_total_product_price":   &p.OriginalTotalProductPrice,
		"original_shipping_fee":          &p.OriginalShippingFee,
		"shipping_fee_seller_discount":   &p.ShippingFeeSellerDiscount,
		"shipping_fee_platform_discount": &p.ShippingFeePlatformDiscount,
		"tax":                            &p.Tax,
		"product_tax":                    &p.ProductTax,
		"shipping_fee_tax":               &p.ShippingFeeTax,
		"retail_delivery_fee":            &p.RetailDeliveryFee,
	})
	for i, li := range w.LineItems {
		cur := li.Currency
		if cur == "" {
			cur = p.Currency
		}
		prefix := fmt.Sprintf("line_items[%d].", i)
		o.LineItems = append(o.LineItems, LineItem{
			ID: li.ID, SkuID: li.SkuID, SellerSku: li.SellerSku, ProductID: li.ProductID,
			ProductName: li.ProductName, SkuName: li.SkuName, Currency: cur,
			OriginalPrice:    f.amount(prefix+"original_price", li.OriginalPrice, cur),
			SalePrice:        f.amount(prefix+"sale_price", li.SalePrice, cur),
			SellerDiscount:   f.amount(prefix+"seller_discount", li.SellerDiscount, cur),
			PlatformDiscount: f.amount(prefix+"platform_discount", li.PlatformDiscount, cur),
			DisplayStatus:    li.DisplayStatus, IsGift: li.IsGift,
		})
	}
	return o, f.err
}

// OrderQuery selects orders. Update-time windows can return orders slightly outside them: overlap windows and
// dedupe by id.
type OrderQuery struct {
	PageSize     int    // 1-100; 0 means 100
	PageToken    string // from the previous page; "" for the first
	SortField    string // create_time or update_time; "" leaves TikTok's default
	SortOrder    string // ASC or DESC
	Status       string // order_status; "" for all
	CreateTimeGE time.Time
	CreateTimeLT time.Time
	UpdateTimeGE time.Time
	UpdateTimeLT time.Time
}

// OrderPage is one page of a search.
type OrderPage struct {
	Orders        []Order
	Malformed     []Malformed // orders that could not be read; not in Orders
	NextPageToken string      // "" on the last page
	TotalCount    int64       // for progress
}

type orderSearchBody struct {
	OrderStatus  string `json:"order_status,omitempty"`
	CreateTimeGE int64  `json:"create_time_ge,omitempty"`
	CreateTimeLT int64  `json:"create_time_lt,omitempty"`
	UpdateTimeGE int64  `json:"update_time_ge,omitempty"`
	UpdateTimeLT int64  `json:"update_time_lt,omitempty"`
}

// SearchOrders reads one page of a shop's orders.
func (s *Seller) SearchOrders(ctx context.Context, shop Shop, q OrderQuery) (OrderPage, error) {
	query, err := searchQuery(q.PageSize, 1, 100, q.PageToken, q.SortField, q.SortOrder, "create_time", "update_time")
	if err != nil {
		return OrderPage{}, fmt.Errorf("tiktok: SearchOrders: %w", err)
	}
	body, err := json.Marshal(orderSearchBody{
		OrderStatus:  q.Status,
		CreateTimeGE: unixField(q.CreateTimeGE), CreateTimeLT: unixField(q.CreateTimeLT),
		UpdateTimeGE: unixField(q.UpdateTimeGE), UpdateTimeLT: unixField(q.UpdateTimeLT),
	})
	if err != nil {
		return OrderPage{}, err
	}
	l, err := list(ctx, s, shop, call{ep: epSearchOrders, query: query, body: body}, listShape{keys: []string{"orders"}}, ownCurrency(parseOrder))
	if err != nil {
		return OrderPage{}, err
	}
	return OrderPage{Orders: l.records, Malformed: l.malformed, NextPageToken: l.next, TotalCount: l.total}, nil
}

// OrderPages streams every page of a search, one request per page as the caller asks for it.
func (s *Seller) OrderPages(ctx context.Context, shop Shop, q OrderQuery) iter.Seq2[OrderPage, error] {
	return pages(ctx, q.PageToken, func(ctx context.Context, token string) (OrderPage, string, error) {
		q.PageToken = token
		p, err := s.SearchOrders(ctx, shop, q)
		return p, p.NextPageToken, err
	})
}

// MaxOrderIDs is how many orders GetOrders reads at once.
const MaxOrderIDs = 50

// GetOrders reads up to MaxOrderIDs orders by id. Orders that could not be read come back apart, as on a page.
func (s *Seller) GetOrders(ctx context.Context, shop Shop, ids []string) ([]Order, []Malformed, error) {
	if len(ids) == 0 || len(ids) > MaxOrderIDs {
		return nil, nil, fmt.Errorf("tiktok: GetOrders: %d ids (want 1-%d)", len(ids), MaxOrderIDs)
	}
	for _, id := range ids {
		if !pathParam.MatchString(id) {
			return nil, nil, fmt.Errorf("tiktok: GetOrders: %q is not an order id", id)
		}
	}
	// Joined once, and signed as that one string.
	query := url.Values{"ids": {strings.Join(ids, ",")}}
	l, err := list(ctx, s, shop, call{ep: epGetOrders, query: query}, listShape{keys: []string{"orders"}}, ownCurrency(parseOrder))
	if err != nil {
		return nil, nil, err
	}
	return l.records, l.malformed, nil
}

// searchQuery is the query of a paginated read: page size in range, the token, and an optional sort.
func searchQuery(size, lo, hi int, token, sortField, sortOrder string, sortFields ...string) (url.Values, error) {
	ps, err := pageSize(size, lo, hi)
	if err != nil {
		return nil, err
	}
	if err := oneOf("sort_field", sortField, sortFields...); err != nil {
		return nil, err
	}
	if err := oneOf("sort_order", sortOrder, "ASC", "DESC"); err != nil {
		return nil, err
	}
	q := url.Values{"page_size": {ps}}
	if token != "" {
		q.Set("page_token", token) // signed decoded; url.Values.Encode percent-encodes its + and /
	}
	if sortField != "" {
		q.Set("sort_field", sortField)
	}
	if sortOrder != "" {
		q.Set("sort_order", sortOrder)
	}
	return q, nil
}
