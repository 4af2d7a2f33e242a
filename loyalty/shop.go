package loyalty

import (
	"context"
	"net/url"
	"time"

	"github.com/poskit/poskit/internal/loyaltywire"
)

// ShopInfo is a shop's loyalty figures. The document and the relay report
// different fields; absent ones are zero.
type ShopInfo struct {
	ID              string
	Name            string
	Account         string        // the shop owner's wallet
	ProvideWaitTime time.Duration // delay before loyalty is provided (document; seconds on the wire)
	ProvidePercent  int64         // provide rate × 100 (document)
	ProvidedPoint   Amount        // points the shop provided (relay: providedAmount)
	UsedPoint       Amount        // points used at the shop (relay: usedAmount)
	SettledPoint    Amount        // points settled (document; an int or a string on the wire)
	WithdrawnPoint  Amount        // points settled and withdrawn (document)
	RefundedPoint   Amount        // points refunded (relay: refundedAmount)
	Currency        string        // relay
	Status          int64         // relay: shop status
	Delegator       string        // relay: the shop's delegator address, if any
}

// ShopWithdrawal is a shop's pending withdrawal request.
type ShopWithdrawal struct {
	ShopID     string
	Amount     Amount // withdrawAmount
	InProgress bool   // withdrawStatus 1
}

// ShopInfo returns a shop's figures (GET /v1/payment/shop/info). Reads are
// idempotent and retried.
func (c *Client) ShopInfo(ctx context.Context, shopID string) (*ShopInfo, error) {
	const op = loyaltywire.OpShopInfo
	if err := checkBytes32(opName(op), loyaltywire.ParamShopID, shopID); err != nil {
		return nil, err
	}
	var w loyaltywire.ShopInfo
	if err := c.do(ctx, op, url.Values{loyaltywire.ParamShopID: {shopID}}, nil, &w); err != nil {
		return nil, err
	}
	s := &ShopInfo{
		ID: w.ShopID, Name: w.Name, Account: w.Account,
		ProvideWaitTime: time.Duration(w.ProvideWaitTime) * time.Second,
		ProvidePercent:  int64(w.ProvidePercent),
		Currency:        w.Currency, Status: int64(w.Status), Delegator: w.Delegator,
	}
	provided, used := w.ProvidedPoint, w.UsedPoint
	if provided == "" {
		provided = w.ProvidedAmount
	}
	if used == "" {
		used = w.UsedAmount
	}
	if err := readAmounts(c.red, amountField{&s.ProvidedPoint, provided}, amountField{&s.UsedPoint, used},
		amountField{&s.SettledPoint, w.SettledPoint}, amountField{&s.WithdrawnPoint, w.WithdrawnPoint},
		amountField{&s.RefundedPoint, w.RefundedAmount}); err != nil {
		return nil, dataError(op, err)
	}
	return s, nil
}

// ShopWithdrawal returns a shop's withdrawal request (GET
// /v1/payment/shop/withdrawal). Modelled: the running relay has no such route;
// the path is the document's in both route sets. Reads are idempotent and retried.
func (c *Client) ShopWithdrawal(ctx context.Context, shopID string) (*ShopWithdrawal, error) {
	const op = loyaltywire.OpShopWithdrawal
	if err := checkBytes32(opName(op), loyaltywire.ParamShopID, shopID); err != nil {
		return nil, err
	}
	var w loyaltywire.ShopWithdrawal
	if err := c.do(ctx, op, url.Values{loyaltywire.ParamShopID: {shopID}}, nil, &w); err != nil {
		return nil, err
	}
	a, err := amountOf(w.WithdrawAmount, c.red)
	if err != nil {
		return nil, dataError(op, err)
	}
	return &ShopWithdrawal{ShopID: w.ShopID, Amount: a, InProgress: w.WithdrawStatus == 1}, nil
}
