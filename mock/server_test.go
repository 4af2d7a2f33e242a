package mock_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/poskit/poskit/internal/endpoint"
	"github.com/poskit/poskit/mock"
)

// A small fake built as every poskit fake is: a table, a codec, typed handlers, actions.

var counterTable = endpoint.Table{API: "counter", Endpoints: []endpoint.Endpoint{
	{Op: "Add", Method: http.MethodPost, Path: "/add"},
	{Op: "Get", Method: http.MethodGet, Path: "/get", Idempotent: true},
	{Op: "Get", Method: http.MethodGet, Path: "/v2/get", Idempotent: true},
}}

type jsonCodec struct{}

func (jsonCodec) Decode(r *http.Request, body []byte, v any) error {
	if len(body) == 0 {
		return nil
	}
	return json.Unmarshal(body, v)
}
func (jsonCodec) Answer(w http.ResponseWriter, v any) {
	json.NewEncoder(w).Encode(map[string]any{"ok": v})
}
func (jsonCodec) Refuse(w http.ResponseWriter, err error) {
	w.WriteHeader(http.StatusBadRequest)
	json.NewEncoder(w).Encode(map[string]string{"error": err.Error()})
}

type counter struct {
	*mock.Server
	mu sync.Mutex
	n  map[string]int
}

type addIn struct {
	Name string `json:"name"`
	By   int    `json:"by"`
}

func (a *addIn) Validate() error {
	if a.Name == "" {
		return errors.New("name is required")
	}
	return nil
}

func newCounter(t *testing.T) *counter {
	t.Helper()
	c := &counter{n: map[string]int{"a": 0}}
	c.Server = mock.NewServer(mock.Config{Name: "counter", Table: counterTable, Secrets: []string{"sekrit-key-0123456789"},
		Fail: func(w http.ResponseWriter, f mock.Fault) {
			w.WriteHeader(f.Status)
			io.WriteString(w, `{"error":"`+f.Code+`"}`)
		}})
	c.Handle("Add", mock.Typed(jsonCodec{}, func(r *http.Request, in addIn) (int, error) {
		c.mu.Lock()
		defer c.mu.Unlock()
		c.n[in.Name] += in.By
		return c.n[in.Name], nil
	}))
	c.Handle("Get", mock.Typed(jsonCodec{}, func(r *http.Request, _ struct{}) (map[string]int, error) {
		c.mu.Lock()
		defer c.mu.Unlock()
		return map[string]int{"a": c.n["a"]}, nil
	}))
	c.AddActions(mock.NewAction("set", "sets a counter that exists: name, to", struct {
		Name string `json:"name"`
		To   int    `json:"to"`
	}{"a", 1}, func(_ context.Context, a struct {
		Name string `json:"name"`
		To   int    `json:"to"`
	}) (any, error) {
		c.mu.Lock()
		defer c.mu.Unlock()
		if _, ok := c.n[a.Name]; !ok {
			return nil, mock.Unknown("counter", a.Name)
		}
		c.n[a.Name] = a.To
		return c.n, nil
	}))
	c.Start()
	t.Cleanup(c.Close)
	return c
}

func call(t *testing.T, hc *http.Client, method, u, body string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest(method, u, strings.NewReader(body))
	resp, err := hc.Do(req)
	if err != nil {
		return 0, err.Error()
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, strings.TrimSpace(string(b))
}

func TestServerRoutesEveryPathOfAnOperationAndRecords(t *testing.T) {
	c := newCounter(t)
	hc := c.HTTPClient()
	if st, b := call(t, hc, "POST", c.URL()+"/add", `{"name":"a","by":2}`); st != 200 || b != `{"ok":2}` {
		t.Fatalf("add: %d %s", st, b)
	}
	for _, p := range []string{"/get", "/v2/get"} {
		if st, b := call(t, hc, "GET", c.URL()+p, ""); st != 200 || b != `{"ok":{"a":2}}` {
			t.Fatalf("%s: %d %s", p, st, b)
		}
	}
	if st, b := call(t, hc, "POST", c.URL()+"/add", `{"by":2}`); st != 400 || b != `{"error":"name is required"}` {
		t.Fatalf("invalid add: %d %s (want the Validate refusal)", st, b)
	}
	if st, _ := call(t, hc, "POST", c.URL()+"/add", `{"by":`); st != 400 {
		t.Fatalf("undecodable add: %d", st)
	}
	reqs := c.Requests()
	if len(reqs) != 5 || reqs[0].Op != "Add" || reqs[1].Op != "Get" || reqs[2].Path != "/v2/get" {
		t.Fatalf("recorded %+v", reqs)
	}
}

func TestServerRedactsSecretsAndFragmentsFromRecordings(t *testing.T) {
	c := newCounter(t)
	call(t, c.HTTPClient(), "POST", c.URL()+"/add?k="+url.QueryEscape("sekrit-key-0123456789"), `{"name":"sekrit-key-01","by":1}`)
	r := c.Requests()[0]
	if strings.Contains(string(r.Body), "sekrit-k") || strings.Contains(r.Query, "sekrit-k") {
		t.Fatalf("secret recorded: body %s query %s", r.Body, r.Query)
	}
}

func TestUnknownFaultOperationIsRefusedAndKnownOnesApply(t *testing.T) {
	c := newCounter(t)
	err := c.Faults().Inject("add", mock.Fault{Kind: mock.DropAnswer})
	var unk *mock.UnknownOperationError
	if !errors.As(err, &unk) || unk.Op != "add" || strings.Join(unk.Known, ",") != "Add,Get" {
		t.Fatalf("misspelt op: %v", err)
	}
	if c.Faults().Pending("add") != 0 {
		t.Fatal("a refused fault was queued")
	}
	if err := c.Faults().Inject("Add", mock.Fault{Kind: mock.Fail, Status: 503, Code: "busy"}); err != nil {
		t.Fatal(err)
	}
	if st, b := call(t, c.HTTPClient(), "POST", c.URL()+"/add", `{"name":"a","by":5}`); st != 503 || b != `{"error":"busy"}` {
		t.Fatalf("fail fault: %d %s", st, b)
	}
	if err := c.Faults().Inject("Add", mock.Fault{Kind: mock.DropAnswer}); err != nil {
		t.Fatal(err)
	}
	if st, _ := call(t, c.HTTPClient(), "POST", c.URL()+"/add", `{"name":"a","by":5}`); st != 0 {
		t.Fatalf("drop-answer fault answered %d", st)
	}
	if _, b := call(t, c.HTTPClient(), "GET", c.URL()+"/get", ""); b != `{"ok":{"a":5}}` {
		t.Fatalf("after a failed and a dropped add: %s (want the dropped one applied once)", b)
	}
	if err := c.Faults().Inject("Add", mock.Fault{}); err == nil {
		t.Fatal("a fault without a kind was accepted")
	}
}

func TestStartPanicsWhenAnOperationHasNoHandler(t *testing.T) {
	s := mock.NewServer(mock.Config{Name: "half", Table: counterTable})
	s.Handle("Add", func(http.ResponseWriter, *http.Request, []byte) {})
	if got := s.Unhandled(); fmt.Sprint(got) != "[Get]" {
		t.Fatalf("Unhandled = %v", got)
	}
	defer func() {
		if recover() == nil {
			t.Fatal("Start served a table with an unhandled operation")
		}
	}()
	s.Start()
}

func TestHandleRefusesAnOperationOutsideTheTable(t *testing.T) {
	s := mock.NewServer(mock.Config{Name: "x", Table: counterTable})
	defer func() {
		if recover() == nil {
			t.Fatal("Handle accepted an operation outside the table")
		}
	}()
	s.Handle("Delete", func(http.ResponseWriter, *http.Request, []byte) {})
}

func TestCloseRunsHooksOnce(t *testing.T) {
	s := mock.NewServer(mock.Config{Name: "x"})
	n := 0
	s.OnClose(func() { n++ })
	s.Start()
	s.Close()
	s.Close()
	if n != 1 {
		t.Fatalf("OnClose ran %d times", n)
	}
}

func TestFakesAreUsedConcurrently(t *testing.T) {
	c := newCounter(t)
	var wg sync.WaitGroup
	for i := 0; i < 16; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := 0; j < 10; j++ {
				call(t, c.HTTPClient(), "POST", c.URL()+"/add", `{"name":"a","by":1}`)
			}
		}()
	}
	wg.Wait()
	if _, b := call(t, c.HTTPClient(), "GET", c.URL()+"/get", ""); b != `{"ok":{"a":160}}` {
		t.Fatalf("after 160 concurrent adds: %s", b)
	}
	if got := len(c.Requests()); got != 161 {
		t.Fatalf("recorded %d requests", got)
	}
}

func TestOutboundOperationsTakeFaultsToo(t *testing.T) {
	s := mock.NewServer(mock.Config{Name: "x", Table: counterTable, Outbound: []string{"Callback"}})
	if err := s.Faults().Inject("Callback", mock.Fault{Kind: mock.DropAnswer}); err != nil {
		t.Fatalf("outbound operation refused: %v", err)
	}
	if f, ok := s.Faults().Take("Callback"); !ok || f.Kind != mock.DropAnswer {
		t.Fatalf("Take = %v %v", f, ok)
	}
	if err := s.Faults().Inject("Callbak", mock.Fault{Kind: mock.DropAnswer}); err == nil {
		t.Fatal("misspelt outbound operation accepted")
	}
}

func TestDownRefusesConnectionsAndUpServesTheSameStateOnTheSamePort(t *testing.T) {
	c := newCounter(t)
	url := c.URL()
	call(t, c.HTTPClient(), "POST", url+"/add", `{"name":"a","by":4}`)
	c.Down()
	c.Down() // twice is harmless
	if !c.IsDown() {
		t.Fatal("IsDown false after Down")
	}
	if st, msg := call(t, c.HTTPClient(), "GET", url+"/get", ""); st != 0 || !strings.Contains(msg, "refused") {
		t.Fatalf("while down: %d %s, want a refused connection", st, msg)
	}
	if err := c.Up(); err != nil {
		t.Fatal(err)
	}
	if c.URL() != url {
		t.Fatalf("URL changed from %s to %s", url, c.URL())
	}
	if _, b := call(t, c.HTTPClient(), "GET", url+"/get", ""); b != `{"ok":{"a":4}}` {
		t.Fatalf("after up: %s", b)
	}
}

func TestDownCutsARequestInFlight(t *testing.T) {
	c := newCounter(t)
	if err := c.Faults().Inject("Get", mock.Fault{Kind: mock.Delay, Delay: time.Hour}); err != nil {
		t.Fatal(err)
	}
	done := make(chan int, 1)
	go func() { st, _ := call(t, c.HTTPClient(), "GET", c.URL()+"/get", ""); done <- st }()
	if !c.Clock().WaitForWaiters(1, nil) {
		t.Fatal("request never parked")
	}
	c.Down()
	if st := <-done; st != 0 {
		t.Fatalf("request in flight answered %d after Down", st)
	}
}
