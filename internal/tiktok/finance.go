package tiktok

import (
	"context"
	"encoding/json"
	"fmt"
	"iter"
	"strings"
	"time"

	"github.com/profitline/profitline/internal/money"
)

// financePageMax is the page size the finance list endpoints are asked for. The doc gives no range; 100 is what
// the other list endpoints allow (UNCONFIRMED for finance; configurable per query).
const financePageMax = 100

// Statement is one day's settlement of a shop (statement_time is 00:00 UTC of the day).
type Statement struct {
	ID            string
	StatementTime time.Time
	Currency      string
	Revenue       money.Amount
	Fee           money.Amount // negative
	Adjustment    money.Amount
	ShippingCost  money.Amount
	NetSales      money.Amount
	Settlement    money.Amount
	PaymentStatus string // PAID, FAILED, PROCESSING
	PaymentID     string
	Other         map[string]money.Amount // any other *_amount TikTok sends
	Raw           json.RawMessage
}

// StatementQuery selects statements.
type StatementQuery struct {
	PageSize        int // 0 means 100
	PageToken       string
	SortOrder       string // ASC or DESC
	StatementTimeGE time.Time
	StatementTimeLT time.Time
	PaymentStatus   string
}

// StatementPage is one page of statements.
type StatementPage struct {
	Statements    []Statement
	Malformed     []Malformed // statements that could not be read; not in Statements
	NextPageToken string
	TotalCount    int64
}

func parseStatement(raw json.RawMessage) (Statement, error) {
	var w struct {
		ID            string `json:"id"`
		StatementTime int64  `json:"statement_time"`
		Currency      string `json:"currency"`
		PaymentStatus string `json:"payment_status"`
		PaymentID     string `json:"payment_id"`
	}
	var all map[string]json.RawMessage
	if err := decodeRecord(raw, &w); err != nil {
		return Statement{}, fmt.Errorf("statement: %w", err)
	}
	if err := decodeRecord(raw, &all); err != nil {
		return Statement{}, fmt.Errorf("statement: %w", err)
	}
	f := fields{record: "statement " + w.ID}
	s := Statement{ID: w.ID, StatementTime: unixTime(w.StatementTime), Currency: w.Currency,
		PaymentStatus: w.PaymentStatus, PaymentID: w.PaymentID, Raw: raw}
	s.Other = f.breakdown("", all, w.Currency, map[string]*money.Amount{
		"revenue_amount":       &s.Revenue,
		"fee_amount":           &s.Fee,
		"adjustment_amount":    &s.Adjustment,
		"shipping_cost_amount": &s.ShippingCost,
		"net_sales_amount":     &s.NetSales,
		"settlement_amount":    &s.Settlement,
	})
	return s, f.err
}

// Statements reads one page of a shop's daily statements, by statement time.
func (s *Seller) Statements(ctx context.Context, shop Shop, q StatementQuery) (StatementPage, error) {
	query, err := searchQuery(q.PageSize, 1, financePageMax, q.PageToken, "", q.SortOrder)
	if err != nil {
		return StatementPage{}, fmt.Errorf("tiktok: Statements: %w", err)
	}
	query.Set("sort_field", "statement_time") // required
	setTime(query, "statement_time_ge", q.StatementTimeGE)
	setTime(query, "statement_time_lt", q.StatementTimeLT)
	if q.PaymentStatus != "" {
		query.Set("payment_status", q.PaymentStatus)
	}
	l, err := list(ctx, s, shop, call{ep: epStatements, query: query}, listShape{keys: []string{"statements"}}, ownCurrency(parseStatement))
	if err != nil {
		return StatementPage{}, err
	}
	return StatementPage{Statements: l.records, Malformed: l.malformed, NextPageToken: l.next, TotalCount: l.total}, nil
}

// StatementPages streams every page of statements.
func (s *Seller) StatementPages(ctx context.Context, shop Shop, q StatementQuery) iter.Seq2[StatementPage, error] {
	return pages(ctx, q.PageToken, func(ctx context.Context, token string) (StatementPage, string, error) {
		q.PageToken = token
		p, err := s.Statements(ctx, shop, q)
		return p, p.NextPageToken, err
	})
}

// Payment is a payout to the seller's bank account. Each amount carries its own currency: a cross-border payout
// is converted (AmountBeforeExchange, ExchangeRate).
type Payment struct {
	ID                   string
	CreateTime           time.Time
	Status               string
	Amount               money.Amount
	SettlementAmount     money.Amount
	ReserveAmount        money.Amount
	AmountBeforeExchange money.Amount
	ExchangeRate         string // a decimal string, kept as sent: it is a ratio, not money
	PaidTime             time.Time
	BankAccount          string // masked by TikTok
	Raw                  json.RawMessage
}

// PaymentQuery selects payments by creation time.
type PaymentQuery struct {
	PageSize     int // 0 means 100
	PageToken    string
	SortOrder    string
	CreateTimeGE time.Time
	CreateTimeLT time.Time
}

// PaymentPage is one page of payments.
type PaymentPage struct {
	Payments      []Payment
	Malformed     []Malformed // payments that could not be read; not in Payments
	NextPageToken string
	TotalCount    int64
}

func parsePayment(raw json.RawMessage) (Payment, error) {
	var w struct {
		ID                          string      `json:"id"`
		CreateTime                  int64       `json:"create_time"`
		Status                      string      `json:"status"`
		Amount                      moneyObject `json:"amount"`
		SettlementAmount            moneyObject `json:"settlement_amount"`
		ReserveAmount               moneyObject `json:"reserve_amount"`
		PaymentAmountBeforeExchange moneyObject `json:"payment_amount_before_exchange"`
		ExchangeRate                string      `json:"exchange_rate"`
		PaidTime                    int64       `json:"paid_time"`
		BankAccount                 string      `json:"bank_account"`
	}
	if err := decodeRecord(raw, &w); err != nil {
		return Payment{}, fmt.Errorf("payment: %w", err)
	}
	f := fields{record: "payment " + w.ID}
	p := Payment{
		ID: w.ID, CreateTime: unixTime(w.CreateTime), Status: w.Status,
		Amount:               f.object("amount", w.Amount),
		SettlementAmount:     f.object("settlement_amount", w.SettlementAmount),
		ReserveAmount:        f.object("reserve_amount", w.ReserveAmount),
		AmountBeforeExchange: f.object("payment_amount_before_exchange", w.PaymentAmountBeforeExchange),
		ExchangeRate:         w.ExchangeRate, PaidTime: unixTime(w.PaidTime), BankAccount: w.BankAccount, Raw: raw,
	}
	return p, f.err
}

// Payments reads one page of a shop's payouts, by creation time.
func (s *Seller) Payments(ctx context.Context, shop Shop, q PaymentQuery) (PaymentPage, error) {
	query, err := searchQuery(q.PageSize, 1, financePageMax, q.PageToken, "", q.SortOrder)
	if err != nil {
		return PaymentPage{}, fmt.Errorf("tiktok: Payments: %w", err)
	}
	query.Set("sort_field", "create_time") // required
	setTime(query, "create_time_ge", q.CreateTimeGE)
	setTime(query, "create_time_lt", q.CreateTimeLT)
	l, err := list(ctx, s, shop, call{ep: epPayments, query: query}, listShape{keys: []string{"payments"}}, ownCurrency(parsePayment))
	if err != nil {
		return PaymentPage{}, err
	}
	return PaymentPage{Payments: l.records, Malformed: l.malformed, NextPageToken: l.next, TotalCount: l.total}, nil
}

// PaymentPages streams every page of payments.
func (s *Seller) PaymentPages(ctx context.Context, shop Shop, q PaymentQuery) iter.Seq2[PaymentPage, error] {
	return pages(ctx, q.PageToken, func(ctx context.Context, token string) (PaymentPage, string, error) {
		q.PageToken = token
		p, err := s.Payments(ctx, shop, q)
		return p, p.NextPageToken, err
	})
}

// Withdrawal is a movement of the seller's balance: WITHDRAW, SETTLE, TRANSFER or REVERSE. The doc lists no
// fields; these are read by name (id, type, status, amount, currency, create_time) and the record is kept whole in Raw.
type Withdrawal struct {
	ID         string
	Type       string
	Status     string
	Amount     money.Amount
	CreateTime time.Time
	Raw        json.RawMessage
}

// withdrawalTypes are all the kinds of withdrawal; the endpoint requires at least one.
var withdrawalTypes = []string{"WITHDRAW", "SETTLE", "TRANSFER", "REVERSE"}

// WithdrawalQuery selects withdrawals.
type WithdrawalQuery struct {
	PageSize     int // 0 means 100
	PageToken    string
	Types        []string // "" means all of WITHDRAW, SETTLE, TRANSFER, REVERSE
	CreateTimeGE time.Time
	CreateTimeLT time.Time
}

// WithdrawalPage is one page of withdrawals.
type WithdrawalPage struct {
	Withdrawals   []Withdrawal
	Malformed     []Malformed // withdrawals that could not be read; not in Withdrawals
	NextPageToken string
	TotalCount    int64
}

func parseWithdrawal(raw json.RawMessage) (Withdrawal, error) {
	var w struct {
		ID         string `json:"id"`
		Type       string `json:"type"`
		Status     string `json:"status"`
		Amount     string `json:"amount"`
		Currency   string `json:"currency"`
		CreateTime int64  `json:"create_time"`
	}
	if err := decodeRecord(raw, &w); err != nil {
		return Withdrawal{}, fmt.Errorf("withdrawal: %w", err)
	}
	f := fields{record: "withdrawal " + w.ID}
	wd := Withdrawal{ID: w.ID, Type: w.Type, Status: w.Status, Amount: f.amount("amount", w.Amount, w.Currency),
		CreateTime: unixTime(w.CreateTime), Raw: raw}
	return wd, f.err
}

// Withdrawals reads one page of a shop's withdrawals.
func (s *Seller) Withdrawals(ctx context.Context, shop Shop, q WithdrawalQuery) (WithdrawalPage, error) {
	query, err := searchQuery(q.PageSize, 1, financePageMax, q.PageToken, "", "")
	if err != nil {
		return WithdrawalPage{}, fmt.Errorf("tiktok: Withdrawals: %w", err)
	}
	types := q.Types
	if len(types) == 0 {
		types = withdrawalTypes
	}
	for _, t := range types {
		if err := oneOf("type", t, withdrawalTypes...); err != nil {
			return WithdrawalPage{}, fmt.Errorf("tiktok: Withdrawals: %w", err)
		}
	}
	query.Set("types", strings.Join(types, ","))
	setTime(query, "create_time_ge", q.CreateTimeGE)
	setTime(query, "create_time_lt", q.CreateTimeLT)
	l, err := list(ctx, s, shop, call{ep: epWithdrawals, query: query}, listShape{keys: []string{"withdrawals"}}, ownCurrency(parseWithdrawal))
	if err != nil {
		return WithdrawalPage{}, err
	}
	return WithdrawalPage{Withdrawals: l.records, Malformed: l.malformed, NextPageToken: l.next, TotalCount: l.total}, nil
}

// WithdrawalPages streams every page of withdrawals.
func (s *Seller) WithdrawalPages(ctx context.Context, shop Shop, q WithdrawalQuery) iter.Seq2[WithdrawalPage, error] {
	return pages(ctx, q.PageToken, func(ctx context.Context, token string) (WithdrawalPage, string, error) {
		q.PageToken = token
		p, err := s.Withdrawals(ctx, shop, q)
		return p, p.NextPageToken, err
	})
}
