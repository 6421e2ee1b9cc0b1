package sandbox

import (
	"strconv"
)

// money formats minor units as the API's decimal string in major units ("24.00", "-3.10").
func money(minor int64) string {
	neg := minor < 0
	if neg {
		minor = -minor
	}
	s := strconv.FormatInt(minor/100, 10) + "." + twoDigits(minor%100)
	if neg {
		return "-" + s
	}
	return s
}

func twoDigits(n int64) string {
	if n < 10 {
		return "0" + strconv.FormatInt(n, 10)
	}
	return strconv.FormatInt(n, 10)
}

// pct returns amount*bps/10000 rounded half away from zero, in minor units.
func pct(amount, bps int64) int64 {
	p := amount * bps
	if p >= 0 {
		return (p + 5000) / 10000
	}
	return -((-p + 5000) / 10000)
}
