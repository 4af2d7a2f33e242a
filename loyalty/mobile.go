package loyalty

import (
	"context"
	"errors"
	"net/url"
	"strconv"
	"strings"

	"github.com/poskit/poskit/internal/loyaltywire"
)

// The mobile endpoints are called by the wallet app (new leg, signed by the
// user) and the shop app (cancel leg, signed by the shop owner or its
// delegator). See signature.go for producing the signature; ChainID and Nonce
// give its inputs. They carry no access key.

// ApproveNewPayment approves a new payment with the user's wallet signature
// (POST /v1/payment/create/confirm; relay: /v1/payment/new/approval with
// approval=true). The answer has status 14 (approval sent) and the txHash; the
// confirmation (15) and the KIOSK callback follow. After 45 s the relay refuses
// with 7000 and sends a timeout callback.
//
// Idempotency: sent once, never retried. The nonce in the signature makes a
// replay fail (1501 once the nonce moved on); a repeat after the contract took
// it is refused with 2025 (already approved) or 2026. On a lost answer read the
// payment with Payment.
func (c *Client) ApproveNewPayment(ctx context.Context, paymentID, signature string) (*Payment, error) {
	return c.approval(ctx, loyaltywire.OpApproveNewPayment, paymentID, signature, true)
}

// DenyNewPayment denies a new payment (POST /v1/payment/create/deny; relay:
// /v1/payment/new/approval with approval=false). Status becomes 16 / 3 and the
// KIOSK gets a denial callback.
//
// Idempotency: sent once; a second deny is refused with 2020 (cannot approve in
// this status). On a lost answer read the payment.
func (c *Client) DenyNewPayment(ctx context.Context, paymentID, signature string) (*Payment, error) {
	return c.approval(ctx, loyaltywire.OpDenyNewPayment, paymentID, signature, false)
}

// ApproveCancelPayment approves a cancel with the shop owner's (or delegator's)
// signature (POST /v1/payment/cancel/confirm; relay: /v1/payment/cancel/approval
// with approval=true). Status becomes 54 and then 55.
//
// Idempotency: as ApproveNewPayment.
func (c *Client) ApproveCancelPayment(ctx context.Context, paymentID, signature string) (*Payment, error) {
	return c.approval(ctx, loyaltywire.OpApproveCancelPayment, paymentID, signature, true)
}

// DenyCancelPayment denies a cancel (POST /v1/payment/cancel/deny; relay:
// /v1/payment/cancel/approval with approval=false). Status becomes 56 / 7.
//
// Idempotency: as DenyNewPayment.
func (c *Client) DenyCancelPayment(ctx context.Context, paymentID, signature string) (*Payment, error) {
	return c.approval(ctx, loyaltywire.OpDenyCancelPayment, paymentID, signature, false)
}

func (c *Client) approval(ctx context.Context, op string, paymentID, signature string, approve bool) (*Payment, error) {
	if err := firstErr(checkBytes32(opName(op), loyaltywire.ParamPaymentID, paymentID), checkSignature(opName(op), signature)); err != nil {
		return nil, err
	}
	body := loyaltywire.ApprovalRequest{PaymentID: paymentID, Signature: signature}
	if c.routes == RouteSetRelay {
		flag := loyaltywire.Bool(approve)
		body.Approval = &flag
	}
	var w loyaltywire.Payment
	if err := c.do(ctx, op, nil, body, &w); err != nil {
		return nil, err
	}
	return c.decodePayment(op, &w)
}

// ChainID returns the side chain's id, an input of wallet signatures
// (GET /v1/chain/side/id). Reads are idempotent and retried.
func (c *Client) ChainID(ctx context.Context) (uint64, error) {
	const op = loyaltywire.OpChainID
	var w loyaltywire.ChainID
	if err := c.do(ctx, op, nil, nil, &w); err != nil {
		return 0, err
	}
	if w.ChainID <= 0 {
		return 0, dataError(op, errors.New("chainId missing or not positive"))
	}
	return uint64(w.ChainID), nil
}

// Nonce returns an account's ledger nonce, an input of wallet signatures; it
// increases after each successful approval (GET /v1/ledger/nonce/{account}).
// Reads are idempotent and retried.
func (c *Client) Nonce(ctx context.Context, account string) (uint64, error) {
	const op = loyaltywire.OpNonce
	if err := checkAccount(opName(op), loyaltywire.ParamAccount, account); err != nil {
		return 0, err
	}
	var w loyaltywire.Nonce
	req := c.reqs[op]
	req.Path = strings.Replace(req.Path, loyaltywire.NoncePlaceholder, url.PathEscape(account), 1)
	if _, err := c.engine.Do(ctx, req, &w); err != nil {
		return 0, err
	}
	n, err := strconv.ParseUint(string(w.Nonce), 10, 64)
	if err != nil {
		return 0, dataError(op, errors.New("nonce is not a 64-bit integer"))
	}
	return n, nil
}
