package mock

import "net/http"

// Codec is an API's wire format as its fake speaks it: how a request is read and how an
// answer and a refusal are written. Each fake has one, so its handlers are typed functions.
type Codec interface {
	// Decode reads the request (body already read) into v, a pointer. An error is answered
	// with Refuse.
	Decode(r *http.Request, body []byte, v any) error
	// Answer writes a successful answer carrying v.
	Answer(w http.ResponseWriter, v any)
	// Refuse writes err as the API's error answer.
	Refuse(w http.ResponseWriter, err error)
}

// Typed adapts a typed handler to a HandlerFunc: the request is decoded into In by c and
// checked by In's Validate method when *In has one (either error is refused), h runs, and
// its result is answered or its error refused, in the API's format.
func Typed[In, Out any](c Codec, h func(r *http.Request, in In) (Out, error)) HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request, body []byte) {
		var in In
		if err := c.Decode(r, body, &in); err != nil {
			c.Refuse(w, err)
			return
		}
		if v, ok := any(&in).(Validator); ok {
			if err := v.Validate(); err != nil {
				c.Refuse(w, err)
				return
			}
		}
		out, err := h(r, in)
		if err != nil {
			c.Refuse(w, err)
			return
		}
		c.Answer(w, out)
	}
}
