package cashflow

import (
	"fmt"

	"github.com/profitline/profitline/internal/money"
)

// Check is one reconciliation check of a statement, its outcome in words.
type Check struct {
	Key        string // transactions, rows, parts, payout
	Label      string
	OK         bool
	Skipped    bool  // nothing to compare yet
	Difference int64 // what is not explained, signed
	Words      string
}

// Verdict is a statement reconciled: every check, and whether all that could be made passed.
type Verdict struct {
	Checks     []Check
	Reconciled bool // every check made passed (skipped ones aside)
	Pending    bool // the transactions are not synced yet: nothing was checked against them
}

// Flagged reports whether a check found a difference or a failed payout.
func (v Verdict) Flagged() bool { return !v.Reconciled }

// PayoutTotals is a payout and what every statement it paid makes payable.
type PayoutTotals struct {
	Payout
	StatementsPayable int64 // the sum of settlement + reserve of the statements it paid
	Statements        int
}

// PayoutTotalsOf is each synced payout of statements with what all of them make payable (a payout may pay several
// statements: pass them all).
func PayoutTotalsOf(statements []Statement) map[string]*PayoutTotals {
	out := map[string]*PayoutTotals{}
	for _, s := range statements {
		if !s.PayoutSynced || s.PayoutID == "" {
			continue
		}
		p := out[s.PayoutID]
		if p == nil {
			p = &PayoutTotals{Payout: Payout{ShopID: s.ShopID, ID: s.PayoutID, Status: s.PayoutStatus, Currency: s.Currency,
				Amount: s.PayoutAmount, PaidDay: s.PaidDay}}
			out[s.PayoutID] = p
		}
		p.StatementsPayable += s.Payable()
		p.Settlement += s.Settlement
		p.Reserve += s.Txns.Reserve
		p.Statements++
	}
	return out
}

// Reconcile checks a statement: its transactions sum to its settlement, each transaction's parts sum to its
// settlement, the statement's own parts sum to its settlement, and its payout paid its settlement plus its reserve.
// payout is nil when the payout is not synced yet.
func Reconcile(s Statement, payout *PayoutTotals) Verdict {
	fm := func(minor int64) string { return money.Amount{Minor: minor, Currency: s.Currency}.Format() }
	var v Verdict
	parts := s.Revenue + s.ShippingCost + s.Fee + s.Adjustment
	c := Check{Key: "parts", Label: "Revenue, shipping, fees and adjustments make the settlement", Difference: s.Settlement - parts}
	c.OK = c.Difference == 0
	if c.OK {
		c.Words = fmt.Sprintf("Revenue %s, shipping %s, fees %s and adjustments %s make the settlement of %s.",
			fm(s.Revenue), fm(s.ShippingCost), fm(s.Fee), fm(s.Adjustment), fm(s.Settlement))
	} else {
		c.Words = fmt.Sprintf("Revenue %s, shipping %s, fees %s and adjustments %s make %s, but the statement settles %s: %s is not explained by any of its parts.",
			fm(s.Revenue), fm(s.ShippingCost), fm(s.Fee), fm(s.Adjustment), fm(parts), fm(s.Settlement), fm(c.Difference))
	}
	v.Checks = append(v.Checks, c)

	if s.Txns.Count == 0 && s.Settlement != 0 {
		v.Pending = true
		v.Checks = append(v.Checks, Check{Key: "transactions", Label: "Transactions add up to the settlement", Skipped: true,
			Words: "Its transactions are not synced yet: they are checked once they are."})
	} else {
		c := Check{Key: "transactions", Label: "Transactions add up to the settlement", Difference: s.Settlement - s.Txns.Settlement}
		c.OK = c.Difference == 0
		if c.OK {
			c.Words = fmt.Sprintf("Its %d transactions settle %s, the statement's settlement.", s.Txns.Count, fm(s.Txns.Settlement))
		} else {
			c.Words = fmt.Sprintf("Its %d transactions settle %s, but the statement settles %s: %s is in the statement and in none of its transactions.",
				s.Txns.Count, fm(s.Txns.Settlement), fm(s.Settlement), fm(c.Difference))
		}
		v.Checks = append(v.Checks, c)
		r := Check{Key: "rows", Label: "Each transaction's parts make its settlement", Difference: s.Txns.Unexplained}
		r.OK = s.Txns.Unbalanced == 0
		if r.OK {
			r.Words = "Every transaction's revenue, shipping, fees and adjustment add up to what it settles."
		} else {
			r.Words = fmt.Sprintf("%s: its revenue, shipping, fees and adjustment do not make its settlement. TikTok paid %s more than the parts explain.",
				rows(s.Txns.Unbalanced), fm(s.Txns.Unexplained))
		}
		v.Checks = append(v.Checks, r)
	}

	p := Check{Key: "payout", Label: "The payout paid the settlement plus the reserve"}
	switch {
	case payout == nil && s.PayoutID == "":
		p.Skipped, p.Words = true, "No payout yet."
	case payout == nil:
		p.Skipped, p.Words = true, "Its payout is not synced yet."
	case payout.Status == StatusFailed:
		p.Difference = payout.StatementsPayable
		p.Words = fmt.Sprintf("The payout of %s failed: TikTok did not pay it, and the money stays in your TikTok balance until it pays again. Check your bank account in TikTok Seller Center.",
			fm(payout.Amount))
	default:
		p.Difference = payout.Amount - payout.StatementsPayable
		p.OK = p.Difference == 0
		what := fmt.Sprintf("settlement %s plus reserve %s", fm(s.Settlement), fm(s.Txns.Reserve))
		if payout.Statements > 1 {
			what = fmt.Sprintf("the settlements plus reserves of its %d statements, %s", payout.Statements, fm(payout.StatementsPayable))
		}
		switch {
		case p.OK && payout.Status == StatusPaid:
			p.Words = fmt.Sprintf("The payout paid %s: %s.", fm(payout.Amount), what)
		case p.OK:
			p.Words = fmt.Sprintf("The payout of %s (%s) is not paid yet.", fm(payout.Amount), what)
		default:
			p.Words = fmt.Sprintf("The payout is %s, but %s make %s: a difference of %s.",
				fm(payout.Amount), what, fm(payout.StatementsPayable), fm(p.Difference))
		}
	}
	v.Checks = append(v.Checks, p)

	v.Reconciled = true
	for _, c := range v.Checks {
		if !c.OK && !c.Skipped {
			v.Reconciled = false
		}
	}
	return v
}

// rows is "1 transaction does not add up" or "3 transactions do not add up".
func rows(n int64) string {
	if n == 1 {
		return "1 transaction does not add up"
	}
	return fmt.Sprintf("%d transactions do not add up", n)
}
