package store_test

import (
	"bytes"
	"context"
	"errors"
	"os/exec"
	"strings"
	"testing"

	"github.com/profitline/profitline/internal/clock"
	"github.com/profitline/profitline/internal/store"
	"github.com/profitline/profitline/internal/testenv"
	"github.com/profitline/profitline/internal/vault"
)

const purpose vault.Purpose = "test.canary"

func seal(t *testing.T, st *store.Store, userID int64, rowKey, plaintext string) []byte {
	t.Helper()
	var ct []byte
	err := st.InTenant(context.Background(), userID, func(tx *store.Tx) error {
		var err error
		ct, err = tx.Seal(context.Background(), purpose, rowKey, []byte(plaintext))
		return err
	})
	if err != nil {
		t.Fatalf("seal: %v", err)
	}
	return ct
}

func open(st *store.Store, userID int64, rowKey string, ct []byte) (string, error) {
	var pt []byte
	err := st.InTenant(context.Background(), userID, func(tx *store.Tx) error {
		var err error
		pt, err = tx.Open(context.Background(), purpose, rowKey, ct)
		return err
	})
	return string(pt), err
}

func TestACiphertextOpensOnlyInItsOwnRowAndTenant(t *testing.T) {
	env := testenv.New(t)
	ctx := context.Background()
	alice, _ := env.Store.CreateTenant(ctx, nil)
	bob, _ := env.Store.CreateTenant(ctx, nil)
	ct := seal(t, env.Store, alice, "order-1", "Jane Buyer, 1 Main St")

	if got, err := open(env.Store, alice, "order-1", ct); err != nil || got != "Jane Buyer, 1 Main St" {
		t.Fatalf("alice opening her own row = %q, %v", got, err)
	}
	if _, err := open(env.Store, alice, "order-2", ct); !errors.Is(err, vault.ErrOpen) {
		t.Errorf("ciphertext moved to another of alice's rows: err = %v; want ErrOpen", err)
	}
	if _, err := open(env.Store, bob, "order-1", ct); err == nil {
		t.Error("ciphertext copied into bob's row opened; want a failure")
	}
}

func TestKeyRotationLeavesNothingUnderTheOldKeyAndResumes(t *testing.T) {
	env := testenv.New(t)
	ctx := context.Background()
	var users []int64
	var sealed [][]byte
	for i := range 3 {
		id, err := env.Store.CreateTenant(ctx, nil)
		if err != nil {
			t.Fatal(err)
		}
		users = append(users, id)
		sealed = append(sealed, seal(t, env.Store, id, "row", "secret "+string(rune('a'+i))))
	}
	oldSpec := env.KeySpec
	newEntry, err := vault.GenerateKeySpec(2)
	if err != nil {
		t.Fatal(err)
	}
	both := openStore(t, env.DB.AppURL, newEntry+","+oldSpec)

	// Interrupted rotation: only the first tenant was done. A full run finds just the other two.
	if n, err := both.RewrapTenant(ctx, users[0]); err != nil || n != 1 {
		t.Fatalf("rewrap first tenant = %d, %v; want 1 key", n, err)
	}
	stats, err := both.RewrapDataKeys(ctx, 1)
	if err != nil {
		t.Fatal(err)
	}
	if stats.Tenants != 2 || stats.Keys != 2 {
		t.Fatalf("resumed rotation did %+v; want the 2 remaining tenants", stats)
	}
	if again, err := both.RewrapDataKeys(ctx, 100); err != nil || again.Keys != 0 {
		t.Fatalf("second rotation did %+v (err %v); want nothing left to do", again, err)
	}
	var underOld int
	owner := testenv.Connect(t, env.DB.OwnerURL)
	if err := owner.QueryRow(ctx, `SELECT count(*) FROM data_keys WHERE ring_key_id <> 2`).Scan(&underOld); err != nil {
		t.Fatal(err)
	}
	if underOld != 0 {
		t.Fatalf("%d data keys still wrapped by the old ring key", underOld)
	}
	// With the old key gone from the ring, every value still opens.
	onlyNew := openStore(t, env.DB.AppURL, newEntry)
	for i, id := range users {
		if got, err := open(onlyNew, id, "row", sealed[i]); err != nil || got != "secret "+string(rune('a'+i)) {
			t.Errorf("user %d after rotation: %q, %v", id, got, err)
		}
	}
	// And the old ring alone can no longer unwrap anything.
	if _, err := open(openStore(t, env.DB.AppURL, oldSpec), users[0], "row", sealed[0]); !errors.Is(err, vault.ErrUnknownKey) {
		t.Errorf("old ring after rotation: err = %v; want ErrUnknownKey", err)
	}
}

func TestDestroyingATenantsDataKeyShredsItsData(t *testing.T) {
	env := testenv.New(t)
	ctx := context.Background()
	alice, _ := env.Store.CreateTenant(ctx, nil)
	ct := seal(t, env.Store, alice, "row", "to be shredded")
	owner := testenv.Connect(t, env.DB.OwnerURL)
	if _, err := owner.Exec(ctx, `DELETE FROM data_keys WHERE user_id = $1`, alice); err != nil {
		t.Fatal(err)
	}
	if _, err := open(env.Store, alice, "row", ct); !errors.Is(err, store.ErrShredded) {
		t.Fatalf("open after the data key was destroyed: err = %v; want ErrShredded", err)
	}
}

func TestADatabaseDumpHoldsNoPlaintextOrKeys(t *testing.T) {
	env := testenv.New(t)
	ctx := context.Background()
	const canary = "CANARY-buyer-jane.doe@example.com-+1-555-0100"
	alice, _ := env.Store.CreateTenant(ctx, nil)
	ct := seal(t, env.Store, alice, "row", canary)
	owner := testenv.Connect(t, env.DB.OwnerURL)
	// No synced table exists yet in this schema, so the sealed value goes into a table of the test's own.
	if _, err := owner.Exec(ctx, `CREATE TABLE canary_values (user_id bigint, v bytea)`); err != nil {
		t.Fatal(err)
	}
	if _, err := owner.Exec(ctx, `INSERT INTO canary_values VALUES ($1, $2)`, alice, ct); err != nil {
		t.Fatal(err)
	}
	pgDump, err := exec.LookPath("pg_dump")
	if err != nil {
		t.Fatalf("pg_dump is required for this test: %v", err)
	}
	dump, err := exec.CommandContext(ctx, pgDump, "--dbname="+env.DB.OwnerURL, "--data-only").Output()
	if err != nil {
		t.Fatalf("pg_dump: %v", err)
	}
	if !bytes.Contains(dump, []byte("canary_values")) {
		t.Fatal("the dump does not contain the canary table; the test is not looking at the data")
	}
	if bytes.Contains(dump, []byte(canary)) || bytes.Contains(dump, []byte("jane.doe@example.com")) {
		t.Fatal("the dump contains the plaintext canary")
	}
	for _, key := range strings.Split(env.KeySpec, ",") {
		if b64 := key[strings.IndexByte(key, ':')+1:]; bytes.Contains(dump, []byte(b64)) {
			t.Fatal("the dump contains a key ring key")
		}
	}
}

func openStore(t *testing.T, url, spec string) *store.Store {
	t.Helper()
	ring, err := vault.ParseKeyRing(spec)
	if err != nil {
		t.Fatal(err)
	}
	st, err := store.Open(context.Background(), url, ring, clock.System{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(st.Close)
	return st
}
