package loyalty

import (
	"context"
	"net/url"
	"strconv"
	"time"

	"github.com/poskit/poskit/internal/loyaltywire"
)

// LoyaltyType is the kind of loyalty a user holds.
type LoyaltyType int

// Loyalty types (the document's loyaltyType field).
const (
	LoyaltyPoint LoyaltyType = 0
	LoyaltyToken LoyaltyType = 1
)

// String returns "point", "token" or "loyalty(n)".
func (t LoyaltyType) String() string {
	switch t {
	case LoyaltyPoint:
		return "point"
	case LoyaltyToken:
		return "token"
	}
	return "loyalty(" + strconv.Itoa(int(t)) + ")"
}

// Payment is one payment as the relay reports it, typed.
type Payment struct {
	ID          string // paymentId, 0x + 64 hex
	PurchaseID  string // the KIOSK's purchase id
	Amount      Amount // price in Currency, 10⁻¹⁸ units
	Currency    string // e.g. "krw"
	ShopID      string
	Account     string // the user's wallet address
	LoyaltyType LoyaltyType
	Estimate
	Balance        Amount        // the user's balance after the leg; callbacks only
	Status         PaymentStatus // paymentStatus
	OpenedAt       time.Time     // openNewTimestamp (document item: createTimestamp)
	ClosedAt       time.Time     // closeNewTimestamp
	CancelOpenedAt time.Time     // openCancelTimestamp (document item: cancelTimestamp)
	CancelClosedAt time.Time     // closeCancelTimestamp
	TxHash         string        // approval transaction, on approve answers
}

// UserBalance is a user's loyalty balance.
type UserBalance struct {
	Account     string
	LoyaltyType LoyaltyType
	Balance     Amount
}

// PaymentInfo is the relay's estimate of what a payment will cost the user,
// with the user's balance.
type PaymentInfo struct {
	Account      string
	LoyaltyType  LoyaltyType
	Amount       Amount // the price asked about
	Currency     string
	Balance      Amount // the user's balance in points (or tokens)
	BalanceValue Amount // the balance's value in Currency (relay only; zero otherwise)
	Estimate
}

// OpenNewPaymentInput is what OpenNewPayment needs.
type OpenNewPaymentInput struct {
	PurchaseID string // the KIOSK's purchase id; keep it unique per purchase
	Amount     Amount // the price, > 0: loyalty.FromWhole(12000) is 12,000 KRW (see Amount)
	Currency   string // e.g. "krw"; send lower case (the chain hashes it byte for byte)
	ShopID     string // 0x + 64 hex
	Account    string // the user's wallet (or temporary) address, 0x + 40 hex
}

// Balance returns a user's loyalty balance (GET /v1/payment/user/balance).
// Reads are idempotent and retried.
func (c *Client) Balance(ctx context.Context, account string) (*UserBalance, error) {
	const op = loyaltywire.OpBalance
	if err := checkAccount(opName(op), loyaltywire.ParamAccount, account); err != nil {
		return nil, err
	}
	var w loyaltywire.Balance
	if err := c.do(ctx, op, url.Values{loyaltywire.ParamAccount: {account}}, nil, &w); err != nil {
		return nil, err
	}
	b, err := amountOf(w.Balance, c.red)
	if err != nil {
		return nil, dataError(op, err)
	}
	return &UserBalance{Account: w.Account, LoyaltyType: LoyaltyType(w.LoyaltyType), Balance: b}, nil
}

// PaymentInfo asks the relay what paying amount (in currency) would cost the
// user in points or tokens, fee included (GET /v1/payment/info). An unknown
// currency is code 1211. Reads are idempotent and retried.
func (c *Client) PaymentInfo(ctx context.Context, account string, amount Amount, currency string) (*PaymentInfo, error) {
	const op = loyaltywire.OpPaymentInfo
	if err := firstErr(checkAccount(opName(op), loyaltywire.ParamAccount, account), checkNonEmpty(opName(op), loyaltywire.ParamCurrency, currency)); err != nil {
		return nil, err
	}
	q := url.Values{loyaltywire.ParamAccount: {account}, loyaltywire.ParamAmount: {amount.String()}, loyaltywire.ParamCurrency: {currency}}
	var w loyaltywire.PaymentInfo
	if err := c.do(ctx, op, q, nil, &w); err != nil {
		return nil, err
	}
	info := &PaymentInfo{Account: w.Account, LoyaltyType: LoyaltyType(w.LoyaltyType), Currency: w.Currency}
	err := readAmounts(c.red, amountField{&info.Amount, w.Amount}, amountField{&info.Balance, w.Balance},
		amountField{&info.BalanceValue, w.BalanceValue})
	if err == nil {
		info.Estimate, err = estimateOf(&w.Estimate, c.red)
	}
	if err != nil {
		return nil, dataError(op, err)
	}
	return info, nil
}

// OpenNewPayment opens a payment for the user to approve in the wallet app
// (POST /v1/payment/openNew; relay: /v1/payment/new/open). The answer carries
// the paymentId and status opened (1 / 11); the result comes later by callback
// or PaymentWaiter. The user must approve within 45 s.
//
// Idempotency: the call is sent once and never retried. The relay creates a new
// paymentId on every call; purchaseId is the KIOSK's key for the purchase
// (a clash of paymentIds at the contract is code 1530). If the answer is lost
// (CodeTransport), do not resend blindly: an unanswered payment is never
// approved by the user and the relay force-closes it (19) after 300 s; open a
// new one for the same purchaseId only when the customer retries.
func (c *Client) OpenNewPayment(ctx context.Context, in OpenNewPaymentInput) (*Payment, error) {
	const op = loyaltywire.OpOpenNewPayment
	o := opName(op)
	if err := firstErr(
		c.requireKey(op),
		checkNonEmpty(o, loyaltywire.ParamPurchaseID, in.PurchaseID),
		checkPositive(o, loyaltywire.ParamAmount, in.Amount),
		checkNonEmpty(o, loyaltywire.ParamCurrency, in.Currency),
		checkBytes32(o, loyaltywire.ParamShopID, in.ShopID),
		checkAccount(o, loyaltywire.ParamAccount, in.Account),
	); err != nil {
		return nil, err
	}
	body := loyaltywire.OpenNewRequest{AccessKey: c.bodyKey(), PurchaseID: in.PurchaseID, Amount: loyaltywire.Number(in.Amount.String()),
		Currency: in.Currency, ShopID: in.ShopID, Account: in.Account}
	var w loyaltywire.Payment
	if err := c.do(ctx, op, nil, body, &w); err != nil {
		return nil, err
	}
	return c.decodePayment(op, &w)
}

// CloseNewPayment ends the new leg (POST /v1/payment/closeNew; relay:
// /v1/payment/new/close): confirm=true settles an approved payment (18 / 4),
// confirm=false fails it (19). A close answers code 0 with status 19 when it
// comes too late (after 40 s) or after a denial: check Payment.Status — success
// of the call is not success of the payment.
//
// Idempotency: sent once, never retried. The relay refuses a second close
// (2026 already closed, 2029 force-closed). If the answer is lost, read the
// payment with Payment to learn its status; never resend the close.
func (c *Client) CloseNewPayment(ctx context.Context, paymentID string, confirm bool) (*Payment, error) {
	return c.close(ctx, loyaltywire.OpCloseNewPayment, paymentID, confirm)
}

// CloseCancelPayment ends the cancel leg (POST /v1/payment/closeCancel; relay:
// /v1/payment/cancel/close): confirm=true completes the refund (58 / 8),
// confirm=false fails the cancel (59).
//
// Idempotency: as CloseNewPayment — sent once; on a lost answer read the
// payment, never resend.
func (c *Client) CloseCancelPayment(ctx context.Context, paymentID string, confirm bool) (*Payment, error) {
	return c.close(ctx, loyaltywire.OpCloseCancelPayment, paymentID, confirm)
}

func (c *Client) close(ctx context.Context, op string, paymentID string, confirm bool) (*Payment, error) {
	if err := firstErr(c.requireKey(op), checkBytes32(opName(op), loyaltywire.ParamPaymentID, paymentID)); err != nil {
		return nil, err
	}
	body := loyaltywire.CloseRequest{AccessKey: c.bodyKey(), PaymentID: paymentID, Confirm: loyaltywire.Bool(confirm)}
	var w loyaltywire.Payment
	if err := c.do(ctx, op, nil, body, &w); err != nil {
		return nil, err
	}
	return c.decodePayment(op, &w)
}

// OpenCancelPayment starts cancelling a closed payment (POST
// /v1/payment/openCancel; relay: /v1/payment/cancel/open); the shop owner then
// approves or denies in the shop app. Only a closed payment (18 / 4) can be
// cancelled (2022 otherwise), within 7 days (1534).
//
// Idempotency: sent once, never retried. A second open of the same payment is
// refused with 2022 because the payment is no longer closed; on a lost answer
// read the payment: status 51 / 5 means the cancel was opened.
func (c *Client) OpenCancelPayment(ctx context.Context, paymentID string) (*Payment, error) {
	const op = loyaltywire.OpOpenCancelPayment
	if err := firstErr(c.requireKey(op), checkBytes32(opName(op), loyaltywire.ParamPaymentID, paymentID)); err != nil {
		return nil, err
	}
	body := loyaltywire.OpenCancelRequest{AccessKey: c.bodyKey(), PaymentID: paymentID}
	var w loyaltywire.Payment
	if err := c.do(ctx, op, nil, body, &w); err != nil {
		return nil, err
	}
	return c.decodePayment(op, &w)
}

// Payment reads one payment with its current status (GET /v1/payment/item).
// It is how a lost answer of an open, close or approval is resolved. Reads are
// idempotent and retried.
func (c *Client) Payment(ctx context.Context, paymentID string) (*Payment, error) {
	const op = loyaltywire.OpPayment
	if err := checkBytes32(opName(op), loyaltywire.ParamPaymentID, paymentID); err != nil {
		return nil, err
	}
	var w loyaltywire.Payment
	if err := c.do(ctx, op, url.Values{loyaltywire.ParamPaymentID: {paymentID}}, nil, &w); err != nil {
		return nil, err
	}
	return c.decodePayment(op, &w)
}
