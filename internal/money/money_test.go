package money

import (
	"math"
	"strings"
	"testing"
)

func TestParseReadsTikTokDecimalsExactly(t *testing.T) {
	tests := []struct {
		in, currency string
		want         int64
	}{
		{"199.00", "USD", 19900},
		{"-30.5", "USD", -3050},
		{"0", "USD", 0},
		{"-0", "USD", 0},
		{"1234", "GBP", 123400},
		{"-0.01", "EUR", -1},
		{"0.1", "MYR", 10},
		{"007.10", "SGD", 710},
		{"1990", "JPY", 1990},
		{"1990.00", "JPY", 1990}, // zeros past the exponent lose nothing
		{"12.340", "GBP", 1234},
		{"150000", "IDR", 150000},
		{"-25000", "VND", -25000},
		{"92233720368547758.07", "USD", math.MaxInt64},
		{"-92233720368547758.07", "USD", -math.MaxInt64},
	}
	for _, tt := range tests {
		got, err := Parse(tt.in, tt.currency)
		if err != nil {
			t.Errorf("Parse(%q, %s): %v", tt.in, tt.currency, err)
			continue
		}
		if got != (Amount{Minor: tt.want, Currency: tt.currency}) {
			t.Errorf("Parse(%q, %s) = %+v, want %d", tt.in, tt.currency, got, tt.want)
		}
	}
}

func TestParseRefusesGarbageWithAClearReason(t *testing.T) {
	tests := []struct{ in, currency, want string }{
		{"12.345", "GBP", `money: "12.345" has more decimals than GBP allows`},
		{"10.5", "JPY", `money: "10.5" has more decimals than JPY allows`},
		{"", "USD", "money: empty amount"},
		{"abc", "USD", `money: "abc" is not a number`},
		{"NaN", "USD", `money: "NaN" is not a number`},
		{"Inf", "USD", `money: "Inf" is not a number`},
		{"1e5", "USD", `money: "1e5" uses exponent notation`},
		{"-2.5E-2", "USD", `money: "-2.5E-2" uses exponent notation`},
		{" 12.00", "USD", `money: " 12.00" has spaces`},
		{"12.00 ", "USD", `money: "12.00 " has spaces`},
		{"+12.00", "USD", `money: "+12.00" has a plus sign`},
		{"1,234.00", "USD", `money: "1,234.00" is not a number`},
		{".5", "USD", `money: ".5" is not a number`},
		{"5.", "USD", `money: "5." is not a number`},
		{"-", "USD", `money: "-" is not a number`},
		{"--1", "USD", `money: "--1" is not a number`},
		{"1.2.3", "USD", `money: "1.2.3" is not a number`},
		{"0x10", "USD", `money: "0x10" is not a number`},
		{"٣", "USD", `money: "٣" is not a number`},
		{"92233720368547758.08", "USD", `money: "92233720368547758.08" is too large`},
		{"99999999999999999999999", "JPY", `money: "99999999999999999999999" is too large`},
		{"1.00", "XXX", `money: unknown currency "XXX"`},
		{"1.00", "usd", `money: unknown currency "usd"`},
		{"1.00", "", `money: unknown currency ""`},
	}
	for _, tt := range tests {
		_, err := Parse(tt.in, tt.currency)
		if err == nil {
			t.Errorf("Parse(%q, %q) accepted garbage", tt.in, tt.currency)
			continue
		}
		if !strings.HasPrefix(err.Error(), tt.want) {
			t.Errorf("Parse(%q, %q) error = %q, want prefix %q", tt.in, tt.currency, err, tt.want)
		}
	}
}

func TestArithmeticRefusesMixedCurrencies(t *testing.T) {
	usd := Amount{Minor: 100, Currency: "USD"}
	gbp := Amount{Minor: 100, Currency: "GBP"}
	if _, err := usd.Add(gbp); err == nil {
		t.Error("USD + GBP succeeded")
	}
	if _, err := usd.Sub(gbp); err == nil {
		t.Error("USD - GBP succeeded")
	}
	sum, err := usd.Add(Amount{Minor: -250, Currency: "USD"})
	if err != nil || sum != (Amount{Minor: -150, Currency: "USD"}) {
		t.Errorf("1.00 + -2.50 = %v, %v", sum, err)
	}
	diff, err := usd.Sub(Amount{Minor: 250, Currency: "USD"})
	if err != nil || diff != (Amount{Minor: -150, Currency: "USD"}) {
		t.Errorf("1.00 - 2.50 = %v, %v", diff, err)
	}
	neg, err := diff.Neg()
	if err != nil || neg.Minor != 150 {
		t.Errorf("-(-1.50) = %v, %v", neg, err)
	}
}

func TestArithmeticRefusesOverflow(t *testing.T) {
	max := Amount{Minor: math.MaxInt64, Currency: "USD"}
	one := Amount{Minor: 1, Currency: "USD"}
	if _, err := max.Add(one); err == nil {
		t.Error("MaxInt64 + 1 succeeded")
	}
	min := Amount{Minor: -math.MaxInt64, Currency: "USD"}
	if _, err := min.Sub(one); err == nil {
		t.Error("-MaxInt64 - 1 succeeded: Neg could no longer be exact")
	}
	if _, err := (Amount{Minor: math.MinInt64, Currency: "USD"}).Neg(); err == nil {
		t.Error("Neg(MinInt64) succeeded")
	}
	if _, err := New(math.MinInt64, "USD"); err == nil {
		t.Error("New(MinInt64) succeeded")
	}
	if _, err := New(1, "ZZZ"); err == nil {
		t.Error("New with an unknown currency succeeded")
	}
}

func TestStringAndFormat(t *testing.T) {
	tests := []struct {
		a              Amount
		str, formatted string
	}{
		{Amount{-1230, "USD"}, "-12.30 USD", "-$12.30"},
		{Amount{5, "USD"}, "0.05 USD", "$0.05"},
		{Amount{-5, "USD"}, "-0.05 USD", "-$0.05"},
		{Amount{0, "USD"}, "0.00 USD", "$0.00"},
		{Amount{123456789, "USD"}, "1234567.89 USD", "$1,234,567.89"},
		{Amount{-1230, "GBP"}, "-12.30 GBP", "-£12.30"},
		{Amount{99900, "EUR"}, "999.00 EUR", "999.00 EUR"},
		{Amount{1500000, "IDR"}, "1500000 IDR", "1,500,000 IDR"},
		{Amount{-1990, "JPY"}, "-1990 JPY", "-1,990 JPY"},
	}
	for _, tt := range tests {
		if got := tt.a.String(); got != tt.str {
			t.Errorf("%#v.String() = %q, want %q", tt.a, got, tt.str)
		}
		if got := tt.a.Format(); got != tt.formatted {
			t.Errorf("%#v.Format() = %q, want %q", tt.a, got, tt.formatted)
		}
	}
	if !(Amount{Currency: "USD"}).IsZero() || (Amount{Minor: -1, Currency: "USD"}).IsZero() {
		t.Error("IsZero is wrong")
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{"199.00", "-30.5", "0", "1234", "-0.01", "12.345", "1e5", " 1", "+1", "NaN",
		"92233720368547758.07", "92233720368547758.08", "1990.000", "", "-", ".", "0.", "-.5"} {
		f.Add(s, "USD")
		f.Add(s, "JPY")
	}
	f.Add("1.00", "usd")
	f.Fuzz(func(t *testing.T, s, currency string) {
		a, err := Parse(s, currency)
		if err != nil {
			return
		}
		if a.Currency != currency {
			t.Fatalf("Parse(%q, %q) changed the currency to %q", s, currency, a.Currency)
		}
		back, err := Parse(a.Decimal(), currency)
		if err != nil || back != a {
			t.Fatalf("Parse(%q) = %+v; Parse(Decimal() = %q) = %+v, %v", s, a, a.Decimal(), back, err)
		}
		if n, err := a.Neg(); err != nil || n.Minor != -a.Minor {
			t.Fatalf("Neg(%+v) = %+v, %v", a, n, err)
		}
		_ = a.Format()
	})
}
