// Package coststest fills a test tenant with what cost of goods is about: listings, products and sold units,
// written through the same tenant queries the sync uses.
package coststest

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/profitline/profitline/internal/store"
	"github.com/profitline/profitline/internal/store/tenantdb"
)

// SKU is one SKU of a test shop.
type SKU struct {
	ID        string
	SellerSKU string
	ProductID string      // "" is "p-" + ID
	Title     string      // the product's; "" stores no product
	Listed    bool        // in the shop's catalog (skus)
	Sold      []time.Time // one order of one unit at each time
	SalePrice int64       // minor units; 0 is 1000
}

// Seed stores skus for (userID, shopID) in currency: the listed ones in the catalog, their products, and an order
// with one line per sold unit.
func Seed(t testing.TB, st *store.Store, userID int64, shopID, currency string, skus ...SKU) {
	t.Helper()
	ctx := context.Background()
	err := st.InTenant(ctx, userID, func(tx *store.Tx) error {
		now := tx.Now()
		var listed tenantdb.UpsertSKUsParams
		products := tenantdb.UpsertProductsParams{UserID: userID, ShopID: shopID, SyncedAt: now}
		orders := tenantdb.UpsertOrdersParams{UserID: userID, ShopID: shopID, SyncedAt: now}
		lines := tenantdb.UpsertOrderLinesParams{UserID: userID, ShopID: shopID}
		listed.UserID, listed.ShopID = userID, shopID
		for _, s := range skus {
			productID := s.ProductID
			if productID == "" {
				productID = "p-" + s.ID
			}
			price := s.SalePrice
			if price == 0 {
				price = 1000
			}
			if s.Title != "" {
				products.ProductIds = append(products.ProductIds, productID)
				products.Titles = append(products.Titles, s.Title)
				products.Statuses = append(products.Statuses, "ACTIVATE")
				products.CreateTimes = append(products.CreateTimes, now)
				products.UpdateTimes = append(products.UpdateTimes, now)
				products.Payloads = append(products.Payloads, []byte("sealed"))
			}
			if s.Listed {
				listed.SkuIds = append(listed.SkuIds, s.ID)
				listed.ProductIds = append(listed.ProductIds, productID)
				listed.SellerSkus = append(listed.SellerSkus, s.SellerSKU)
				listed.Currencies = append(listed.Currencies, currency)
				listed.SalePrices = append(listed.SalePrices, price)
				listed.Inventories = append(listed.Inventories, 10)
			}
			for i, at := range s.Sold {
				orderID := fmt.Sprintf("o-%s-%d", s.ID, i)
				orders.OrderIds = append(orders.OrderIds, orderID)
				orders.Statuses = append(orders.Statuses, "COMPLETED")
				orders.Currencies = append(orders.Currencies, currency)
				orders.CreateTimes = append(orders.CreateTimes, at)
				orders.UpdateTimes = append(orders.UpdateTimes, at)
				orders.PaidTimes = append(orders.PaidTimes, at)
				orders.DeliveryTimes = append(orders.DeliveryTimes, time.Time{})
				orders.CancelTimes = append(orders.CancelTimes, time.Time{})
				orders.ShippingTypes = append(orders.ShippingTypes, "TIKTOK")
				orders.IsSamples = append(orders.IsSamples, false)
				orders.LineCounts = append(orders.LineCounts, 1)
				for _, col := range []*[]int64{&orders.SubTotals, &orders.TotalAmounts} {
					*col = append(*col, price)
				}
				for _, col := range []*[]int64{&orders.ShippingFees, &orders.SellerDiscounts, &orders.PlatformDiscounts, &orders.Taxes, &orders.ShippingSellerDiscounts, &orders.ShippingPlatformDiscounts} {
					*col = append(*col, 0)
				}
				orders.Payloads = append(orders.Payloads, []byte("sealed"))

				lines.OrderIds = append(lines.OrderIds, orderID)
				lines.LineIds = append(lines.LineIds, orderID+"-1")
				lines.SkuIds = append(lines.SkuIds, s.ID)
				lines.SellerSkus = append(lines.SellerSkus, s.SellerSKU)
				lines.ProductIds = append(lines.ProductIds, productID)
				lines.Currencies = append(lines.Currencies, currency)
				lines.OriginalPrices = append(lines.OriginalPrices, price)
				lines.SalePrices = append(lines.SalePrices, price)
				lines.SellerDiscounts = append(lines.SellerDiscounts, 0)
				lines.PlatformDiscounts = append(lines.PlatformDiscounts, 0)
				lines.DisplayStatuses = append(lines.DisplayStatuses, "COMPLETED")
				lines.IsGifts = append(lines.IsGifts, false)
			}
		}
		if _, err := tx.Q.UpsertProducts(ctx, products); err != nil {
			return fmt.Errorf("products: %w", err)
		}
		if _, err := tx.Q.UpsertSKUs(ctx, listed); err != nil {
			return fmt.Errorf("skus: %w", err)
		}
		if _, err := tx.Q.UpsertOrders(ctx, orders); err != nil {
			return fmt.Errorf("orders: %w", err)
		}
		if _, err := tx.Q.UpsertOrderLines(ctx, lines); err != nil {
			return fmt.Errorf("order lines: %w", err)
		}
		return nil
	})
	if err != nil {
		t.Fatalf("coststest: seed shop %s: %v", shopID, err)
	}
}
