package tiktok

import (
	"context"
	"encoding/json"
	"fmt"
	"iter"
	"time"

	"github.com/profitline/profitline/internal/money"
)

// Product is a listing with its SKUs.
type Product struct {
	ID         string
	Title      string
	Status     string
	CreateTime time.Time
	UpdateTime time.Time
	SKUs       []SKU
	Raw        json.RawMessage
}

// SKU is one sellable variant of a product.
type SKU struct {
	ID                string
	SellerSku         string
	Currency          string
	SalePrice         money.Amount
	TaxExclusivePrice money.Amount
	Inventory         []Inventory
}

// Inventory is the stock of a SKU in one warehouse.
type Inventory struct {
	WarehouseID string
	Quantity    int64
}

type productWire struct {
	ID         string `json:"id"`
	Title      string `json:"title"`
	Status     string `json:"status"`
	CreateTime int64  `json:"create_time"`
	UpdateTime int64  `json:"update_time"`
	Skus       []struct {
		ID        string `json:"id"`
		SellerSku string `json:"seller_sku"`
		Price     struct {
			Currency          string `json:"currency"`
			SalePrice         string `json:"sale_price"`
			TaxExclusivePrice string `json:"tax_exclusive_price"`
		} `json:"price"`
		Inventory []struct {
			WarehouseID string `json:"warehouse_id"`
			Quantity    int64  `json:"quantity"`
		} `json:"inventory"`
	} `json:"skus"`
}

func parseProduct(raw json.RawMessage) (Product, error) {
	var w productWire
	if err := decodeRecord(raw, &w); err != nil {
		return Product{}, fmt.Errorf("product: %w", err)
	}
	f := fields{record: "product " + w.ID}
	p := Product{ID: w.ID, Title: w.Title, Status: w.Status, CreateTime: unixTime(w.CreateTime), UpdateTime: unixTime(w.UpdateTime), Raw: raw}
	for i, s := range w.Skus {
		prefix := fmt.Sprintf("skus[%d].price.", i)
		sku := SKU{
			ID: s.ID, SellerSku: s.SellerSku, Currency: s.Price.Currency,
			SalePrice:         f.amount(prefix+"sale_price", s.Price.SalePrice, s.Price.Currency),
			TaxExclusivePrice: f.amount(prefix+"tax_exclusive_price", s.Price.TaxExclusivePrice, s.Price.Currency),
		}
		for _, inv := range s.Inventory {
			sku.Inventory = append(sku.Inventory, Inventory{WarehouseID: inv.WarehouseID, Quantity: inv.Quantity})
		}
		p.SKUs = append(p.SKUs, sku)
	}
	return p, f.err
}

// ProductQuery selects products. Search stops at 10,000 results: split long ranges into time windows.
type ProductQuery struct {
	PageSize     int // 1-100; 0 means 100
	PageToken    string
	Status       string
	UpdateTimeGE time.Time
	UpdateTimeLE time.Time // inclusive: this endpoint's filter is _le, not _lt
}

// ProductPage is one page of products.
type ProductPage struct {
	Products      []Product
	Malformed     []Malformed // products that could not be read; not in Products
	NextPageToken string
	TotalCount    int64
}

type productSearchBody struct {
	Status       string `json:"status,omitempty"`
	UpdateTimeGE int64  `json:"update_time_ge,omitempty"`
	UpdateTimeLE int64  `json:"update_time_le,omitempty"`
}

// SearchProducts reads one page of a shop's products.
func (s *Seller) SearchProducts(ctx context.Context, shop Shop, q ProductQuery) (ProductPage, error) {
	query, err := searchQuery(q.PageSize, 1, 100, q.PageToken, "", "")
	if err != nil {
		return ProductPage{}, fmt.Errorf("tiktok: SearchProducts: %w", err)
	}
	body, err := json.Marshal(productSearchBody{Status: q.Status, UpdateTimeGE: unixField(q.UpdateTimeGE), UpdateTimeLE: unixField(q.UpdateTimeLE)})
	if err != nil {
		return ProductPage{}, err
	}
	l, err := list(ctx, s, shop, call{ep: epSearchProducts, query: query, body: body}, listShape{keys: []string{"products"}}, ownCurrency(parseProduct))
	if err != nil {
		return ProductPage{}, err
	}
	return ProductPage{Products: l.records, Malformed: l.malformed, NextPageToken: l.next, TotalCount: l.total}, nil
}

// ProductPages streams every page of a product search.
func (s *Seller) ProductPages(ctx context.Context, shop Shop, q ProductQuery) iter.Seq2[ProductPage, error] {
	return pages(ctx, q.PageToken, func(ctx context.Context, token string) (ProductPage, string, error) {
		q.PageToken = token
		p, err := s.SearchProducts(ctx, shop, q)
		return p, p.NextPageToken, err
	})
}
