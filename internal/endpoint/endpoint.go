// Package endpoint declares the shape of an API's endpoint table: each API lists its
// operations once (operation name = the client method name, HTTP method, path, whether a
// retry is safe), and both its client and its fake read the list. The fake registers a
// handler per operation from it, fault injection names operations from it, and a test in
// each API fails when an operation has no client method or no fake handler.
package endpoint

// Endpoint is one operation of an API.
type Endpoint struct {
	// Op is the operation's name: the client method that calls it, e.g. "OpenNewPayment".
	// Faults are injected by this name; errors report it as "<api>.<Op>".
	Op     string
	Method string
	Path   string
	// Idempotent marks the request safe to repeat: only such requests are retried.
	Idempotent bool
}

// Table is the endpoint table of one API. An operation may appear more than once when the
// API serves it on several paths (e.g. two route sets); every entry of one operation has
// the same Idempotent flag.
type Table struct {
	API       string // package name, e.g. "loyalty"; prefixes operation names in errors
	Endpoints []Endpoint
}

// Ops returns the operation names, each once, in table order.
func (t Table) Ops() []string {
	seen := make(map[string]bool, len(t.Endpoints))
	var ops []string
	for _, e := range t.Endpoints {
		if !seen[e.Op] {
			seen[e.Op] = true
			ops = append(ops, e.Op)
		}
	}
	return ops
}

// Lookup returns the first endpoint of operation op.
func (t Table) Lookup(op string) (Endpoint, bool) {
	for _, e := range t.Endpoints {
		if e.Op == op {
			return e, true
		}
	}
	return Endpoint{}, false
}

// Has reports whether op is an operation of the table.
func (t Table) Has(op string) bool { _, ok := t.Lookup(op); return ok }

// Name returns the operation's name as errors and logs show it: "<api>.<op>".
func (t Table) Name(op string) string { return t.API + "." + op }
