package loyalty_test

import (
	"context"
	"errors"
	"fmt"

	"github.com/poskit/poskit/loyalty"
	"github.com/poskit/poskit/mock/loyaltymock"
)

// A KIOSK pays with loyalty points against the fake relay: open, the wallet approves,
// the KIOSK learns the decision, then closes the payment.
func Example() {
	ctx := context.Background()
	relay := loyaltymock.NewServer() // the scripted wallet approves at once
	defer relay.Close()
	seed := relay.Seed()
	alice, _ := seed.Wallet(loyaltymock.Alice)

	client := relay.Client()
	p, err := client.OpenNewPayment(ctx, loyalty.OpenNewPaymentInput{
		PurchaseID: "ORDER-1", Amount: loyalty.FromWhole(5000), Currency: "krw",
		ShopID: seed.Shop().ID, Account: alice.Account,
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	if err := relay.Sync(ctx); err != nil { // let the wallet answer
		fmt.Println(err)
		return
	}
	decided, err := loyalty.NewPaymentWaiter(client).Wait(ctx, p.ID, loyalty.LegNew)
	if err != nil {
		fmt.Println(err)
		return
	}
	closed, err := client.CloseNewPayment(ctx, p.ID, true)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("opened:", p.Status)
	fmt.Println("decided:", decided.Status)
	fmt.Println("closed:", closed.Status, "total", closed.TotalPoint.Decimal(), "points")
	// Output:
	// opened: new-opened
	// decided: new-reported
	// closed: new-closed total 5250 points
}

// Amounts are exact integers of 10⁻¹⁸ units; the wire form has no decimal point.
func ExampleParseDecimal() {
	a, err := loyalty.ParseDecimal("1,234.5")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(a.String())
	fmt.Println(a.Decimal())
	_, err = loyalty.ParseAmount("-5")
	var ae *loyalty.AmountError
	fmt.Println(errors.As(err, &ae))
	// Output:
	// 1234500000000000000000
	// 1234.5
	// true
}

// Relay errors arrive as *loyalty.Error with the relay's code.
func ExampleError() {
	relay := loyaltymock.NewServer()
	defer relay.Close()
	client := relay.Client(loyalty.WithAccessKey("not-the-key"))
	seed := relay.Seed()
	alice, _ := seed.Wallet(loyaltymock.Alice)
	_, err := client.OpenNewPayment(context.Background(), loyalty.OpenNewPaymentInput{
		PurchaseID: "ORDER-2", Amount: loyalty.FromWhole(1), Currency: "krw",
		ShopID: seed.Shop().ID, Account: alice.Account,
	})
	fmt.Println(loyalty.IsAccessDenied(err), loyalty.IsCode(err, loyalty.CodeInvalidAccessKey))
	// Output: true true
}
