package mock

import (
	"errors"
	"net"
	"net/http"
	"sync"
)

// listener is a fake's loopback HTTP listener that can be brought down (connections
// refused, as when the real service's process is gone) and up again on the same port.
type listener struct {
	h  http.Handler
	hc *http.Client

	mu     sync.Mutex
	addr   string
	hs     *http.Server
	ln     net.Listener
	down   bool
	closed bool
	gate   sync.RWMutex // held shared by each request; down/close take it to wait them out
}

func newListener(h http.Handler) (*listener, error) {
	l := &listener{h: h, hc: &http.Client{Transport: &http.Transport{}}}
	if err := l.listen("127.0.0.1:0"); err != nil {
		return nil, err
	}
	return l, nil
}

// listen opens the listener on addr and serves on it; l.mu is held or l is not shared yet.
func (l *listener) listen(addr string) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	l.addr = ln.Addr().String()
	hs := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		l.gate.RLock()
		defer l.gate.RUnlock()
		if l.isDown() {
			// Accepted just before the listener closed: as if the process had died.
			if !DropConnection(w) {
				panic(http.ErrAbortHandler)
			}
			return
		}
		l.h.ServeHTTP(w, r)
	})}
	l.hs, l.ln = hs, ln
	go func() { _ = hs.Serve(ln) }()
	return nil
}

func (l *listener) url() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return "http://" + l.addr
}

func (l *listener) isDown() bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.down || l.closed
}

// stop closes the listener and every connection, then waits until no request is handled.
func (l *listener) stop(final bool) {
	l.mu.Lock()
	if l.closed || (l.down && !final) {
		l.closed = l.closed || final
		l.mu.Unlock()
		return
	}
	wasDown := l.down
	l.down = true
	l.closed = final
	hs, ln := l.hs, l.ln
	l.mu.Unlock()
	if !wasDown {
		// The listener is closed here, not only by hs.Close: Serve may not have
		// registered it yet, and up must find the port free.
		_ = ln.Close()
		_ = hs.Close()
	}
	l.gate.Lock() // every request in flight has returned
	l.gate.Unlock()
	l.hc.CloseIdleConnections()
}

// up listens again on the same port.
func (l *listener) up() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed {
		return errors.New("mock: server is closed")
	}
	if !l.down {
		return nil
	}
	if err := l.listen(l.addr); err != nil {
		return err
	}
	l.down = false
	return nil
}
