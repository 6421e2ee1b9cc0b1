package sandbox

import "slices"

type shopView struct {
	ID         string `json:"id"`
	Name       string `json:"name"`
	Region     string `json:"region"`
	SellerType string `json:"seller_type"`
	Cipher     string `json:"cipher"`
	Code       string `json:"code"`
}

// authorizedShops lists the shops the token's grant covers, minus those the app or seller deauthorized.
func (s *Sandbox) authorizedShops(c *call) (any, *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := struct {
		Shops []shopView `json:"shops"`
	}{Shops: []shopView{}}
	for _, sh := range c.seller.shops {
		if s.revokedShops[sh.id] || slices.Contains(s.faults.RevokedShops, sh.id) || slices.Contains(s.faults.RevokedShops, sh.cipher) {
			continue
		}
		out.Shops = append(out.Shops, shopView{sh.id, sh.name, sh.region, sh.sellerType, sh.cipher, sh.code})
	}
	return out, nil
}

// deauthorize is the app giving up a shop: its later calls answer 36004005 until the seller authorizes again.
func (s *Sandbox) deauthorize(c *call) (any, *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.revokedShops[c.shop.id] = true
	return struct{}{}, nil
}

// RevokeShop marks a shop deauthorized, as if the seller had removed the app for it.
func (s *Sandbox) RevokeShop(shopID string) {
	sh := s.shopByID(shopID)
	if sh == nil {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.revokedShops[sh.id] = true
}
