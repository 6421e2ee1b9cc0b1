package sandbox

import (
	"encoding/json"
	"math/rand/v2"
	"testing"
)

// A breakdown is written exactly as encoding/json writes a map of its amounts by name: the same bytes.
func TestABreakdownIsWrittenAsAMapOfItsAmountsIs(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for n := range 2000 {
		var p parts
		for i := range p {
			if n%3 != 0 || r.IntN(2) == 0 {
				p[i] = r.Int64N(2_000_000) - 1_000_000
			}
		}
		maps := [4]map[string]string{{}, {}, {}, {}}
		for i, v := range p {
			maps[partKind[i]][partNames[i]] = money(v)
		}
		type feeTax struct {
			Fee map[string]string `json:"fee"`
			Tax map[string]string `json:"tax"`
		}
		want, err := json.Marshal(struct {
			Revenue  map[string]string `json:"revenue_breakdown"`
			Shipping map[string]string `json:"shipping_cost_breakdown"`
			FeeTax   feeTax            `json:"fee_tax_breakdown"`
		}{maps[kindRevenue], maps[kindShipping], feeTax{maps[kindFee], maps[kindTax]}})
		if err != nil {
			t.Fatal(err)
		}
		got, err := json.Marshal(breakdown(p))
		if err != nil {
			t.Fatal(err)
		}
		if string(got) != string(want) {
			t.Fatalf("parts %v:\n got %s\nwant %s", p, got, want)
		}
	}
}
