package loyaltymock

import (
	"strings"

	"github.com/poskit/poskit/internal/endpoint"
	"github.com/poskit/poskit/internal/loyaltywire"
	"github.com/poskit/poskit/loyalty"
)

// routes is one route set's paths, by field, as the tests send requests by hand.
type routes struct {
	Set loyalty.RouteSet

	UserBalance, PaymentInfo, OpenNew, CloseNew, OpenCancel, CloseCancel           string
	ShopInfo, ShopWithdrawal, Item, ApproveNew, DenyNew, ApproveCancel, DenyCancel string
	ChainID, Nonce                                                                 string
	table                                                                          endpoint.Table
}

// route is one row of a route set.
type route struct {
	Endpoint     string
	Method, Path string
}

func routesOf(set loyalty.RouteSet, t endpoint.Table) routes {
	p := func(op string) string { e, _ := t.Lookup(op); return e.Path }
	return routes{Set: set, table: t,
		UserBalance: p("Balance"), PaymentInfo: p("PaymentInfo"), OpenNew: p("OpenNewPayment"), CloseNew: p("CloseNewPayment"),
		OpenCancel: p("OpenCancelPayment"), CloseCancel: p("CloseCancelPayment"), ShopInfo: p("ShopInfo"),
		ShopWithdrawal: p("ShopWithdrawal"), Item: p("Payment"), ApproveNew: p("ApproveNewPayment"), DenyNew: p("DenyNewPayment"),
		ApproveCancel: p("ApproveCancelPayment"), DenyCancel: p("DenyCancelPayment"), ChainID: p("ChainID"), Nonce: p("Nonce")}
}

func relayRoutes() routes    { return routesOf(loyalty.RouteSetRelay, loyaltywire.Relay) }
func documentRoutes() routes { return routesOf(loyalty.RouteSetDocument, loyaltywire.Document) }

func (r routes) ApprovalFlag() bool { return r.Set == loyalty.RouteSetRelay }

func (r routes) NoncePath(account string) string {
	return strings.Replace(r.Nonce, loyaltywire.NoncePlaceholder, account, 1)
}

func (r routes) List() []route {
	var out []route
	for _, e := range r.table.Endpoints {
		out = append(out, route{Endpoint: e.Op, Method: e.Method, Path: e.Path})
	}
	return out
}
