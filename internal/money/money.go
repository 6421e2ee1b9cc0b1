// Package money is Profitline's one money type: an exact count of minor units (cents, pence, yen) and an ISO 4217
// currency code. It parses the decimal strings TikTok sends ("199.00", "-30.5") exactly and refuses to mix
// currencies. It must never use floating point, and never round: a value that does not fit the currency is an error.
package money

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
)

// Amount is an exact amount of money: Minor units of Currency (an upper-case ISO 4217 code). Its magnitude never
// exceeds math.MaxInt64, so Neg cannot overflow for any Amount this package produced.
type Amount struct {
	Minor    int64
	Currency string
}

// exponents is the number of decimals of each currency Profitline knows: the TikTok Shop markets' currencies, plus
// CNY and HKD, in which cross-border sellers are paid out. IDR is whole rupiah here (ISO says 2, but rupiah have no
// circulating minor unit and TikTok shows whole amounts); zeros after the allowed decimals still parse.
var exponents = map[string]int{
	"USD": 2, // United States
	"GBP": 2, // United Kingdom
	"EUR": 2, // Spain, Ireland, France, Germany, Italy
	"MYR": 2, // Malaysia
	"SGD": 2, // Singapore
	"PHP": 2, // Philippines
	"THB": 2, // Thailand
	"MXN": 2, // Mexico
	"BRL": 2, // Brazil
	"CNY": 2, // cross-border payouts
	"HKD": 2, // cross-border payouts
	"JPY": 0, // Japan
	"VND": 0, // Vietnam
	"IDR": 0, // Indonesia
	"KRW": 0, // Korea
}

// Exponent reports how many decimals currency has, and whether Profitline knows the currency at all.
func Exponent(currency string) (int, bool) {
	e, ok := exponents[currency]
	return e, ok
}

// New returns minor units of currency, refusing a currency Profitline does not know or the one int64 whose
// negation overflows.
func New(minor int64, currency string) (Amount, error) {
	if _, ok := exponents[currency]; !ok {
		return Amount{}, unknownCurrency(currency)
	}
	if minor == math.MinInt64 {
		return Amount{}, errors.New("money: amount out of range")
	}
	return Amount{Minor: minor, Currency: currency}, nil
}

// Parse reads a plain decimal string in major units ("199.00", "-30.5", "0", "-0.01") exactly into minor units of
// currency. It accepts an optional leading "-", digits, and an optional "." followed by digits; nothing else (no
// "+", spaces, exponents, thousands separators, NaN). More decimals than the currency has are refused unless they
// are zeros ("1990.00" JPY is 1990 yen; "12.345" GBP is an error).
func Parse(decimal, currency string) (Amount, error) {
	exp, ok := exponents[currency]
	if !ok {
		return Amount{}, unknownCurrency(currency)
	}
	s := decimal
	neg := false
	if strings.HasPrefix(s, "-") {
		neg, s = true, s[1:]
	}
	intPart, frac, hasDot := strings.Cut(s, ".")
	if err := checkSyntax(decimal, intPart, frac, hasDot); err != nil {
		return Amount{}, err
	}
	if len(frac) > exp {
		if strings.Trim(frac[exp:], "0") != "" {
			return Amount{}, fmt.Errorf("money: %s has more decimals than %s allows", quote(decimal), currency)
		}
		frac = frac[:exp]
	}
	frac += strings.Repeat("0", exp-len(frac))

	// Accumulate the magnitude in uint64, refusing anything above MaxInt64 (so every Amount can be negated).
	var mag uint64
	for _, r := range intPart + frac {
		d := uint64(r - '0')
		if mag > (math.MaxInt64-d)/10 {
			return Amount{}, fmt.Errorf("money: %s is too large", quote(decimal))
		}
		mag = mag*10 + d
	}
	minor := int64(mag)
	if neg {
		minor = -minor
	}
	return Amount{Minor: minor, Currency: currency}, nil
}

// checkSyntax explains what is wrong with a string that is not a plain decimal.
func checkSyntax(decimal, intPart, frac string, hasDot bool) error {
	switch {
	case decimal == "":
		return errors.New("money: empty amount")
	case strings.ContainsAny(decimal, " \t\r\n"):
		return fmt.Errorf("money: %s has spaces", quote(decimal))
	case strings.HasPrefix(decimal, "+"):
		return fmt.Errorf("money: %s has a plus sign", quote(decimal))
	case isExponent(decimal):
		return fmt.Errorf("money: %s uses exponent notation", quote(decimal))
	}
	if intPart == "" || !allDigits(intPart) || (hasDot && (frac == "" || !allDigits(frac))) {
		return fmt.Errorf("money: %s is not a number", quote(decimal))
	}
	return nil
}

// isExponent reports whether s looks like "1.5e3" or "-2E-2": a number we refuse rather than call garbage.
func isExponent(s string) bool {
	i := strings.IndexAny(s, "eE")
	if i < 0 {
		return false
	}
	mant, exp := strings.TrimPrefix(s[:i], "-"), strings.TrimLeft(s[i+1:], "+-")
	intPart, frac, _ := strings.Cut(mant, ".")
	return intPart != "" && allDigits(intPart) && allDigits(frac) && exp != "" && allDigits(exp)
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// quote keeps error messages short when the input is long garbage.
func quote(s string) string {
	const max = 40
	if len(s) > max {
		return strconv.Quote(s[:max]) + "..."
	}
	return strconv.Quote(s)
}

func unknownCurrency(c string) error {
	return fmt.Errorf("money: unknown currency %s (want an upper-case ISO 4217 code of a TikTok Shop market)", quote(c))
}

// Add returns a+b, refusing different currencies and results out of range.
func (a Amount) Add(b Amount) (Amount, error) {
	if a.Currency != b.Currency {
		return Amount{}, fmt.Errorf("money: cannot add %s to %s", b.Currency, a.Currency)
	}
	sum := a.Minor + b.Minor
	if (b.Minor > 0 && sum < a.Minor) || (b.Minor < 0 && sum > a.Minor) || sum == math.MinInt64 {
		return Amount{}, fmt.Errorf("money: %s + %s is out of range", a, b)
	}
	return Amount{Minor: sum, Currency: a.Currency}, nil
}

// Sub returns a-b, refusing different currencies and results out of range.
func (a Amount) Sub(b Amount) (Amount, error) {
	if a.Currency != b.Currency {
		return Amount{}, fmt.Errorf("money: cannot subtract %s from %s", b.Currency, a.Currency)
	}
	nb, err := b.Neg()
	if err != nil {
		return Amount{}, err
	}
	return a.Add(nb)
}

// Neg returns -a. It fails only for a hand-built Amount holding math.MinInt64.
func (a Amount) Neg() (Amount, error) {
	if a.Minor == math.MinInt64 {
		return Amount{}, errors.New("money: amount out of range")
	}
	return Amount{Minor: -a.Minor, Currency: a.Currency}, nil
}

// IsZero reports whether a is zero (in any currency).
func (a Amount) IsZero() bool { return a.Minor == 0 }

// Decimal returns a in major units with exactly the currency's decimals ("-12.30"); Parse reads it back unchanged.
// An unknown currency prints the minor units.
func (a Amount) Decimal() string {
	exp := exponents[a.Currency]
	neg := a.Minor < 0
	mag := uint64(a.Minor)
	if neg {
		mag = -mag // two's complement: correct for math.MinInt64 too
	}
	digits := strconv.FormatUint(mag, 10)
	if exp > 0 {
		if len(digits) <= exp {
			digits = strings.Repeat("0", exp-len(digits)+1) + digits
		}
		digits = digits[:len(digits)-exp] + "." + digits[len(digits)-exp:]
	}
	if neg {
		return "-" + digits
	}
	return digits
}

// String returns the amount and its currency code, "-12.30 USD": unambiguous, for logs and errors.
func (a Amount) String() string { return a.Decimal() + " " + a.Currency }

// symbols are the currencies whose symbol is unambiguous in front of the number for Profitline's sellers.
var symbols = map[string]string{"USD": "$", "GBP": "£"}

// Format returns the amount for display to a seller, with thousands separators: "-$1,234.50" for USD and GBP,
// "-1,234.50 EUR" otherwise.
func (a Amount) Format() string {
	d := a.Decimal()
	sign := ""
	if strings.HasPrefix(d, "-") {
		sign, d = "-", d[1:]
	}
	intPart, frac, hasDot := strings.Cut(d, ".")
	var b strings.Builder
	for i, r := range intPart {
		if i > 0 && (len(intPart)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	if hasDot {
		b.WriteString("." + frac)
	}
	if sym, ok := symbols[a.Currency]; ok {
		return sign + sym + b.String()
	}
	return sign + b.String() + " " + a.Currency
}
