package mock

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sort"
	"strings"
	"time"
)

// Admin is the control API a test suite in another language uses instead of the Go
// methods; poskit-mock serves it. Routes, {fake} being a Fake's Name:
//
//	GET    /fakes                       → {"loyalty":"http://127.0.0.1:…", …}
//	GET    /{fake}/clock                → {"now":"…"}
//	POST   /{fake}/clock/advance?d=60s  → moves that fake's clock
//	POST   /{fake}/down                 → the fake's port refuses connections (state kept)
//	POST   /{fake}/up                   → the fake listens again on the same port
//	GET    /{fake}/faults               → {"ops":[…]}: the operations faults apply to
//	POST   /{fake}/faults?op=…          ← {"kind":"fail|drop-answer|delay|garbage","times":1,"status":503,"code":"…","message":"…","delay":"10s","body":"…"}
//	DELETE /{fake}/faults               → clears every fault
//	GET    /{fake}/requests             → the recorded requests
//	GET    /{fake}/do                   → every action: name, doc, example arguments
//	POST   /{fake}/do/{action}          ← the action's JSON arguments
//
// Errors answer {"error":"…"}: 400 for bad arguments or an unknown operation, 404 for an
// unknown fake, route or action, or arguments naming something the fake does not have.
type Admin struct {
	fakes map[string]Fake
}

// NewAdmin returns the admin API of fakes (by their Name; a later fake of the same name
// replaces an earlier one).
func NewAdmin(fakes ...Fake) *Admin {
	a := &Admin{fakes: make(map[string]Fake, len(fakes))}
	for _, f := range fakes {
		a.fakes[f.Name()] = f
	}
	return a
}

// URLs returns the base URL of every fake, by name.
func (a *Admin) URLs() map[string]string {
	urls := make(map[string]string, len(a.fakes))
	for name, f := range a.fakes {
		urls[name] = f.URL()
	}
	return urls
}

// Close closes every fake.
func (a *Admin) Close() {
	for _, f := range a.fakes {
		f.Close()
	}
}

func (a *Admin) names() []string {
	ns := make([]string, 0, len(a.fakes))
	for n := range a.fakes {
		ns = append(ns, n)
	}
	sort.Strings(ns)
	return ns
}

// actionView is how GET /{fake}/do lists an action.
type actionView struct {
	Name    string          `json:"name"`
	Doc     string          `json:"doc"`
	Example json.RawMessage `json:"example"`
}

// ServeHTTP implements http.Handler.
func (a *Admin) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	parts := strings.SplitN(strings.Trim(r.URL.Path, "/"), "/", 2)
	if parts[0] == "fakes" && r.Method == http.MethodGet {
		writeJSON(w, http.StatusOK, a.URLs())
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
		a.do(w, r, f, name)
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
	case "POST down":
		f.Down()
		writeJSON(w, http.StatusOK, map[string]bool{"down": true})
	case "POST up":
		if err := f.Up(); err != nil {
			writeError(w, http.StatusConflict, "%v", err)
			return
		}
		writeJSON(w, http.StatusOK, map[string]bool{"down": false})
	case "GET faults":
		writeJSON(w, http.StatusOK, map[string][]string{"ops": f.Faults().Ops()})
	case "POST faults":
		a.inject(w, r, f)
	case "DELETE faults":
		f.Faults().Clear()
		w.WriteHeader(http.StatusNoContent)
	case "GET requests":
		writeJSON(w, http.StatusOK, f.Requests())
	case "GET do":
		var views []actionView
		for _, act := range f.Actions() {
			views = append(views, actionView{act.Name, act.Doc, act.Example})
		}
		writeJSON(w, http.StatusOK, views)
	default:
		writeError(w, http.StatusNotFound, "no admin route %s %s", r.Method, r.URL.Path)
	}
}

func (a *Admin) inject(w http.ResponseWriter, r *http.Request, f Fake) {
	op := r.URL.Query().Get("op")
	if op == "" {
		writeError(w, http.StatusBadRequest, "missing ?op=: one of %s", strings.Join(f.Faults().Ops(), ", "))
		return
	}
	fault, err := decodeFault(r)
	if err != nil {
		writeError(w, http.StatusBadRequest, "fault body: %v", err)
		return
	}
	if err := f.Faults().Inject(op, fault); err != nil {
		writeError(w, http.StatusBadRequest, "%v", err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]int{"pending": f.Faults().Pending(op)})
}

// do runs one action of a fake.
func (a *Admin) do(w http.ResponseWriter, r *http.Request, f Fake, name string) {
	var act *Action
	for _, x := range f.Actions() {
		if x.Name == name {
			act = &x
			break
		}
	}
	if act == nil {
		writeError(w, http.StatusNotFound, "fake %q has no action %q (GET /%s/do lists them)", f.Name(), name, f.Name())
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, 64<<10))
	if err != nil {
		writeError(w, http.StatusRequestEntityTooLarge, "body: %v", err)
		return
	}
	res, err := act.Run(r.Context(), json.RawMessage(body))
	if err != nil {
		status := http.StatusBadRequest
		if errors.Is(err, ErrUnknown) {
			status = http.StatusNotFound
		}
		writeError(w, status, "%s: %v", name, err)
		return
	}
	writeJSON(w, http.StatusOK, res)
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

func decodeFault(r *http.Request) (Fault, error) {
	var in faultJSON
	dec := json.NewDecoder(io.LimitReader(r.Body, 64<<10))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&in); err != nil {
		return Fault{}, fmt.Errorf("%v (example: {\"kind\":\"drop-answer\"})", err)
	}
	f := Fault{Times: in.Times, Status: in.Status, Code: in.Code, Message: in.Message}
	if in.Body != "" {
		f.Body = []byte(in.Body)
	}
	for _, k := range []FaultKind{Fail, DropAnswer, Delay, Garbage} {
		if k.String() == in.Kind {
			f.Kind = k
		}
	}
	if f.Kind == 0 {
		return Fault{}, fmt.Errorf("unknown kind %q: one of fail, drop-answer, delay, garbage", in.Kind)
	}
	if in.Delay != "" {
		d, err := time.ParseDuration(in.Delay)
		if err != nil {
			return Fault{}, fmt.Errorf("delay: %w", err)
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
