package loyaltymock_test

import (
	"context"
	"fmt"

	"github.com/poskit/poskit/loyalty"
	"github.com/poskit/poskit/mock"
	"github.com/poskit/poskit/mock/loyaltymock"
)

// The fake relay in a test: the wallet answers only when the test says so (here
// srv.Approve), so opening, approving and closing never race; then a fault injected by
// client method name.
func Example() {
	ctx := context.Background()
	srv := loyaltymock.NewServer(loyaltymock.WithWalletPolicy(loyaltymock.Ignore))
	defer srv.Close()
	seed := srv.Seed()
	alice, _ := seed.Wallet(loyaltymock.Alice)
	client := srv.Client() // base URL, access key, the fake's clock

	p, err := client.OpenNewPayment(ctx, loyalty.OpenNewPaymentInput{
		PurchaseID: "ORDER-7", Amount: loyalty.FromWhole(1000), Currency: "krw",
		ShopID: seed.Shop().ID, Account: alice.Account,
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	if err := srv.Approve(p.ID); err != nil { // the user approves in the wallet app
		fmt.Println(err)
		return
	}
	closed, err := client.CloseNewPayment(ctx, p.ID, true)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("closed:", closed.Status, "paid", closed.TotalPoint.Decimal(), "points")
	fmt.Println("alice has", srv.Balance(alice.Account).Decimal(), "points")

	// The next close's answer is lost after the relay applied it.
	_ = srv.Faults().Inject("CloseNewPayment", mock.Fault{Kind: mock.DropAnswer})
	_, err = client.CloseNewPayment(ctx, p.ID, true)
	fmt.Println("lost:", loyalty.IsLost(err))
	fmt.Println("misspelt fault refused:", srv.Faults().Inject("closeNew", mock.Fault{Kind: mock.Fail}) != nil)
	// Output:
	// closed: new-closed paid 1050 points
	// alice has 998950 points
	// lost: true
	// misspelt fault refused: true
}

// The scripted wallet (here the default: approve at once) answers at Sync, which returns
// once the answers and their callbacks are done.
func ExampleServer_Sync() {
	ctx := context.Background()
	srv := loyaltymock.NewServer()
	defer srv.Close()
	seed := srv.Seed()
	alice, _ := seed.Wallet(loyaltymock.Alice)
	client := srv.Client()

	p, err := client.OpenNewPayment(ctx, loyalty.OpenNewPaymentInput{
		PurchaseID: "ORDER-8", Amount: loyalty.FromWhole(2000), Currency: "krw",
		ShopID: seed.Shop().ID, Account: alice.Account,
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	before, _ := srv.Payment(p.ID)
	if err := srv.Sync(ctx); err != nil { // the wallet approves now, not before
		fmt.Println(err)
		return
	}
	after, _ := srv.Payment(p.ID)
	closed, err := client.CloseNewPayment(ctx, p.ID, true)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(before.Status, "→", after.Status, "→", closed.Status)
	// Output:
	// new-opened → new-reported → new-closed
}
