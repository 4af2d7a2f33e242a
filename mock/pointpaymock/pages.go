package pointpaymock

import (
	"errors"
	"html/template"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/poskit/poskit/internal/pointpaywire"
	"github.com/poskit/poskit/mock"
	"github.com/poskit/poskit/pointpay"
)

// pageError is a refusal of the popup or its form: an HTML page with a status.
type pageError struct {
	status int
	msg    string
}

func (e *pageError) Error() string { return e.msg }

func badRequest(msg string) error { return &pageError{http.StatusBadRequest, msg} }

func unknownMedia(code string) error {
	return &pageError{http.StatusNotFound, "unknown media (a_code " + strconv.Quote(code) + ")"}
}

// formDecoder is implemented by the handlers' typed inputs.
type formDecoder interface {
	decode(r *http.Request, body []byte) error
}

// pageCodec is the popup's wire format as the fake speaks it: a query or a form in, an
// HTML page out.
type pageCodec struct{}

func (pageCodec) Decode(r *http.Request, body []byte, v any) error {
	d, ok := v.(formDecoder)
	if !ok {
		return errors.New("pointpaymock: no decoder")
	}
	return d.decode(r, body)
}

func (pageCodec) Answer(w http.ResponseWriter, v any) { writePage(w, http.StatusOK, v.(page)) }

func (pageCodec) Refuse(w http.ResponseWriter, err error) {
	status, msg := http.StatusBadRequest, err.Error()
	var pe *pageError
	if errors.As(err, &pe) {
		status = pe.status
	}
	writePage(w, status, page{Title: "PointPay (fake): error", Error: msg})
}

// writeFault answers an injected mock.Fail fault: an error page, HTTP 503 unless the
// fault says otherwise.
func writeFault(w http.ResponseWriter, f mock.Fault) {
	status, msg := f.Status, f.Message
	if status == 0 {
		status = http.StatusServiceUnavailable
	}
	if msg == "" {
		msg = "service unavailable (injected fault)"
	}
	if f.Code != "" {
		msg = f.Code + ": " + msg
	}
	writePage(w, status, page{Title: "PointPay (fake): error", Error: msg})
}

func notFound(w http.ResponseWriter, r *http.Request) {
	writePage(w, http.StatusNotFound, page{Title: "PointPay (fake): not found", Error: "no page " + r.URL.Path})
}

// page is what the fake renders: the popup's form, a conversion's outcome, or an error.
type page struct {
	Title      string
	Error      string
	Popup      *pointpay.Popup
	Action     string // the form's target path
	Conversion *Conversion
}

var pageTemplate = template.Must(template.New("page").Parse(`<!doctype html>
<html lang="ko"><head><meta charset="utf-8"><title>{{.Title}}</title></head>
<body>
<h1>{{.Title}}</h1>
{{- if .Error}}
<p class="error">{{.Error}}</p>
{{- end}}
{{- with .Popup}}
<p>media (a_code): <code id="a_code">{{.MediaID}}</code>, member (user_id): <code id="user_id">{{.MemberID}}</code>{{if .AddParam}}, add_param: <code id="add_param">{{.AddParam}}</code>{{end}}</p>
<form method="post" action="{{$.Action}}">
<input type="hidden" name="a_code" value="{{.MediaID}}">
<label>member <input name="user_id" value="{{.MemberID}}" readonly></label>
{{- if .AddParam}}
<input type="hidden" name="add_param" value="{{.AddParam}}">
{{- end}}
<label>points to convert <input type="number" name="points" min="1" max="1000000" required></label>
<button type="submit">convert</button>
</form>
{{- end}}
{{- with .Conversion}}
<p>converted <span id="points">{{.Points}}</span> points for member <code>{{.MemberID}}</code></p>
<p>order number (rw_orderno): <code id="orderno">{{.OrderNo}}</code>, delivery to the shop: <span id="delivery">{{.Delivery}}</span></p>
{{- end}}
</body></html>
`))

func writePage(w http.ResponseWriter, status int, p page) {
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = pageTemplate.Execute(w, p)
}

// popupIn is the popup's query, as pointpay.ParsePopupURL reads it.
type popupIn struct{ p pointpay.Popup }

func (in *popupIn) decode(r *http.Request, _ []byte) error {
	p, err := pointpay.ParsePopupURL(r.URL.RequestURI())
	if err != nil {
		return badRequest(errText(err))
	}
	in.p = p
	return nil
}

// popup serves the popup page: a form for the member to convert points.
func (s *Server) popup(r *http.Request, in popupIn) (page, error) {
	if in.p.MediaID != s.mediaID {
		return page{}, unknownMedia(in.p.MediaID)
	}
	return page{Title: "PointPay (fake): convert points", Popup: &in.p, Action: pointpaywire.PathConvert}, nil
}

// convertIn is the popup form's submit.
type convertIn struct {
	mediaID, memberID, addParam string
	points                      int64
}

func (in *convertIn) decode(_ *http.Request, body []byte) error {
	form, err := url.ParseQuery(string(body))
	if err != nil {
		return badRequest("the form is not application/x-www-form-urlencoded")
	}
	for _, name := range []string{pointpaywire.ConvertACode, pointpaywire.ConvertUserID, pointpaywire.ConvertAddParam, pointpaywire.ConvertPoints} {
		if len(form[name]) > 1 {
			return badRequest(name + ": sent more than once")
		}
	}
	in.mediaID = form.Get(pointpaywire.ConvertACode)
	in.memberID = form.Get(pointpaywire.ConvertUserID)
	in.addParam = form.Get(pointpaywire.ConvertAddParam)
	raw := strings.TrimSpace(form.Get(pointpaywire.ConvertPoints))
	n, err := strconv.ParseInt(raw, 10, 64)
	if err != nil {
		return badRequest(pointpaywire.ConvertPoints + ": not a whole number")
	}
	in.points = n
	return nil
}

// convertForm converts the points the popup's form names and calls the shop back.
func (s *Server) convertForm(r *http.Request, in convertIn) (page, error) {
	if in.mediaID != s.mediaID {
		return page{}, unknownMedia(in.mediaID)
	}
	c, err := s.Convert(in.memberID, in.points, in.addParam)
	if err != nil {
		return page{}, badRequest(errText(err))
	}
	return page{Title: "PointPay (fake): converted", Conversion: &c}, nil
}

// errText is a pointpay error's message without its operation prefix.
func errText(err error) string {
	var pe *pointpay.Error
	if errors.As(err, &pe) {
		return pe.Message
	}
	return err.Error()
}
