package syncer

import (
	"crypto/hmac"
	"crypto/sha256"
	"strconv"
)

// BuyerIndexKey derives the key of buyer keys from the deployment's blind-index key (EMAIL_INDEX_KEY), so the two
// indexes never share a key.
func BuyerIndexKey(blindIndexKey []byte) []byte {
	m := hmac.New(sha256.New, blindIndexKey)
	m.Write([]byte("profitline/buyer-key/v1"))
	return m.Sum(nil)
}

// buyerKeyLen is how much of the HMAC a buyer key keeps: 128 bits cannot collide among one seller's buyers.
const buyerKeyLen = 16

// BuyerKey is what orders.buyer_key holds for a seller's order by TikTok's buyer id: equal for one seller's orders
// of one buyer, unrelated across sellers, and no way back to the id without the key. Empty (stored as NULL) without
// a key or a buyer id.
func BuyerKey(key []byte, userID int64, buyerID string) []byte {
	if len(key) == 0 || buyerID == "" {
		return []byte{}
	}
	m := hmac.New(sha256.New, key)
	m.Write(strconv.AppendInt(nil, userID, 10))
	m.Write([]byte{'/'})
	m.Write([]byte(buyerID))
	return m.Sum(nil)[:buyerKeyLen]
}
