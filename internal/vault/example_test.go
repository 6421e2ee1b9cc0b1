package vault_test

import (
	"errors"
	"fmt"

	"github.com/profitline/profitline/internal/vault"
)

// Example follows one tenant: its data key is created and wrapped once, stored wrapped, and unwrapped whenever the
// tenant's rows are read.
func Example() {
	// In production the config package reads this spec from PROFITLINE_DATA_KEYS. This key is base64 of the text
	// "profitline example key, not real".
	ring, err := vault.ParseKeyRing("1:cHJvZml0bGluZSBleGFtcGxlIGtleSwgbm90IHJlYWw=")
	if err != nil {
		panic(err)
	}

	// At sign-up: a first-generation data key for user 42, stored only in wrapped form.
	const userID = 42
	dk, err := vault.NewDataKey(1)
	if err != nil {
		panic(err)
	}
	wrapped, err := ring.WrapDataKey(userID, dk)
	if err != nil {
		panic(err)
	}
	ringKey, err := vault.SealedKeyID(wrapped)
	if err != nil {
		panic(err)
	}
	fmt.Println("data key wrapped under ring key", ringKey)

	// Each sensitive column is sealed to its purpose, tenant and row.
	ad := vault.AD{Purpose: "orders.buyer_email", UserID: userID, RowKey: "576461413038785752"}
	sealed, err := dk.SealString(ad, "jane@example.com")
	if err != nil {
		panic(err)
	}

	// Later, reading the row: unwrap the tenant's key, then open the value.
	dk, err = ring.UnwrapDataKey(userID, 1, wrapped)
	if err != nil {
		panic(err)
	}
	email, err := dk.OpenString(ad, sealed)
	if err != nil {
		panic(err)
	}
	fmt.Println(email)

	// The same ciphertext copied into another order's row does not open.
	ad.RowKey = "576461413038785753"
	_, err = dk.OpenString(ad, sealed)
	fmt.Println(errors.Is(err, vault.ErrOpen), err)

	// Output:
	// data key wrapped under ring key 1
	// jane@example.com
	// true vault: open orders.buyer_email: ciphertext failed authentication
}
