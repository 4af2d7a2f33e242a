package main

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"sort"
	"strings"
	"time"

	"github.com/poskit/poskit/mock"
)

// fake is what every poskit fake server offers the admin API.
type fake interface {
	URL() string
	Clock() *mock.Clock
	Faults() *mock.Faults
	Requests() []mock.Request
	Close()
}

// admin serves the control API a non-Go test suite uses instead of the Go methods:
//
//	GET  /fakes                         → {"loyalty":"http://127.0.0.1:…", …}
//	GET  /{fake}/clock                  → {"now":"…"}
//	POST /{fake}/clock/advance?d=60s    → moves that fake's clock
//	POST /{fake}/faults?op=…            ← {"kind":"fail|drop-answer|delay|garbage","times":1,"status":503,"code":"…","message":"…","delay":"10s","body":"…"}
//	DELETE /{fake}/faults               → clears every fault
//	GET  /{fake}/requests               → the recorded requests
//	GET  /{fake}/do                     → the names of the fake's actions
//	POST /{fake}/do/{action}            ← the action's JSON arguments (see actions.go), e.g.
//	     /smartro/do/occupy {"floor":"1","table":"01"}, /smartro/do/pos-complete {"orderNo":"…"},
//	     /loyalty/do/approve {"paymentId":"0x…"}, /loyalty/do/seed {}
type admin struct {
	fakes   map[string]fake
	actions map[string]map[string]action // by fake, then by action name
}

func (a *admin) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	parts := strings.SplitN(strings.Trim(r.URL.Path, "/"), "/", 2)
	if parts[0] == "fakes" && r.Method == http.MethodGet {
		writeJSON(w, http.StatusOK, a.urls())
		return
	}
	f, ok := a.fakes[parts[0]]
	if !ok {
		writeError(w, http.StatusNotFound, "unknown fake %q; known: %s", parts[0], strings.Join(a.names(), ", "))
		return
	}
	rest := ""
	if len(parts) == 2 {
		rest = parts[1]
	}
	if name, ok := strings.CutPrefix(rest, "do/"); ok && r.Method == http.MethodPost {
		a.do(w, r, parts[0], name)
		return
	}
	switch r.Method + " " + rest {
	case "GET clock":
		writeJSON(w, http.StatusOK, map[string]time.Time{"now": f.Clock().Now()})
	case "POST clock/advance":
		d, err := time.ParseDuration(r.URL.Query().Get("d"))
		if err != nil || d < 0 {
			writeError(w, http.StatusBadRequest, "d must be a non-negative Go duration such as 60s")
			return
		}
		f.Clock().Advance(d)
		writeJSON(w, http.StatusOK, map[string]time.Time{"now": f.Clock().Now()})
	case "POST faults":
		op := r.URL.Query().Get("op")
		fault, err := decodeFault(r)
		if op == "" || err != nil {
			writeError(w, http.StatusBadRequest, "need ?op= and a fault body: %v", err)
			return
		}
		f.Faults().Inject(op, fault)
		writeJSON(w, http.StatusOK, map[string]int{"pending": f.Faults().Pending(op)})
	case "DELETE faults":
		f.Faults().Clear()
		w.WriteHeader(http.StatusNoContent)
	case "GET requests":
		writeJSON(w, http.StatusOK, f.Requests())
	case "GET do":
		var names []string
		for n := range a.actions[parts[0]] {
			names = append(names, n)
		}
		sort.Strings(names)
		writeJSON(w, http.StatusOK, names)
	default:
		writeError(w, http.StatusNotFound, "no admin route %s /%s", r.Method, r.URL.Path)
	}
}

// do runs one action of a fake.
func (a *admin) do(w http.ResponseWriter, r *http.Request, fakeName, name string) {
	act, ok := a.actions[fakeName][name]
	if !ok {
		writeError(w, http.StatusNotFound, "fake %q has no action %q (GET /%s/do lists them)", fakeName, name, fakeName)
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, 64<<10))
	if err != nil {
		writeError(w, http.StatusRequestEntityTooLarge, "body: %v", err)
		return
	}
	res, err := act(json.RawMessage(body))
	if err != nil {
		writeError(w, http.StatusBadRequest, "%s: %v", name, err)
		return
	}
	writeJSON(w, http.StatusOK, res)
}

// urls returns the base URL of every fake, by name.
func (a *admin) urls() map[string]string {
	urls := make(map[string]string, len(a.fakes))
	for name, f := range a.fakes {
		urls[name] = f.URL()
	}
	return urls
}

func (a *admin) names() []string {
	var ns []string
	for n := range a.fakes {
		ns = append(ns, n)
	}
	sort.Strings(ns)
	return ns
}

type faultJSON struct {
	Kind    string `json:"kind"`
	Times   int    `json:"times"`
	Status  int    `json:"status"`
	Code    string `json:"code"`
	Message string `json:"message"`
	Delay   string `json:"delay"`
	Body    string `json:"body"`
}

func decodeFault(r *http.Request) (mock.Fault, error) {
	var in faultJSON
	dec := json.NewDecoder(http.MaxBytesReader(nil, r.Body, 64<<10))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&in); err != nil {
		return mock.Fault{}, err
	}
	f := mock.Fault{Times: in.Times, Status: in.Status, Code: in.Code, Message: in.Message}
	if in.Body != "" {
		f.Body = []byte(in.Body)
	}
	for _, k := range []mock.FaultKind{mock.Fail, mock.DropAnswer, mock.Delay, mock.Garbage} {
		if k.String() == in.Kind {
			f.Kind = k
		}
	}
	if f.Kind == 0 {
		return mock.Fault{}, fmt.Errorf("unknown kind %q", in.Kind)
	}
	if in.Delay != "" {
		d, err := time.ParseDuration(in.Delay)
		if err != nil {
			return mock.Fault{}, fmt.Errorf("delay: %w", err)
		}
		f.Delay = d
	}
	return f, nil
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

func writeError(w http.ResponseWriter, status int, format string, args ...any) {
	writeJSON(w, status, map[string]string{"error": fmt.Sprintf(format, args...)})
}
