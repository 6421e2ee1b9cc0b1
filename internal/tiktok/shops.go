package tiktok

import (
	"context"
	"fmt"
)

type shopsWire struct {
	Shops []struct {
		ID         string `json:"id"`
		Name       string `json:"name"`
		Region     string `json:"region"`
		SellerType string `json:"seller_type"`
		Cipher     string `json:"cipher"`
		Code       string `json:"code"`
	} `json:"shops"`
}

// AuthorizedShops lists the shops the seller's grant covers, with the cipher each later call needs. It is the one
// read that carries no shop_cipher.
func (s *Seller) AuthorizedShops(ctx context.Context) ([]Shop, error) {
	data, err := s.c.exec(ctx, s.tokens, call{ep: epAuthorizedShops})
	if err != nil {
		return nil, err
	}
	var w shopsWire
	if err := decodeData(data, &w); err != nil {
		return nil, fmt.Errorf("tiktok: AuthorizedShops: %w", err)
	}
	shops := make([]Shop, 0, len(w.Shops))
	for _, sh := range w.Shops {
		if sh.Cipher == "" {
			return nil, fmt.Errorf("tiktok: AuthorizedShops: shop %s has no cipher", sh.ID)
		}
		shops = append(shops, Shop{ID: sh.ID, Name: sh.Name, Region: sh.Region, SellerType: sh.SellerType, Cipher: sh.Cipher, Code: sh.Code})
	}
	return shops, nil
}

// Deauthorize lets go of one shop: TikTok revokes the grant for it and emails the seller. It is the only call that
// changes anything at TikTok, used when a seller disconnects or deletes their account.
func (s *Seller) Deauthorize(ctx context.Context, shop Shop) error {
	if err := shopCipher(shop); err != nil {
		return err
	}
	_, err := s.c.exec(ctx, s.tokens, call{ep: epDeauthorize, cipher: shop.Cipher})
	return err
}
