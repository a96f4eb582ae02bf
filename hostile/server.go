// Package hostile is a target that misbehaves on purpose: it hangs, trickles, resets,
// cuts bodies short, floods, lies about its status, redirects, compresses a bomb or
// serves a certificate nobody trusts. cogconform is pointed at broken software by
// design, and its tests point it here to show that it never hangs, crashes, runs out
// of memory or follows a token somewhere else.
//
// The server speaks raw TCP (it must be able to do what net/http refuses to: reset a
// connection, send half a body, send a status line one byte at a time) and listens on
// loopback only.
package hostile

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Behaviour is how the server answers a request.
type Behaviour string

// The catalogue. Each answers every request that way, except the start-up probe
// (see Options.AnswerProbe).
const (
	Hang         Behaviour = "hang"           // reads the request, never answers
	Trickle      Behaviour = "trickle"        // answers one byte per second, status line first
	TrickleBody  Behaviour = "trickle-body"   // headers at once, then the body one byte per second
	Reset        Behaviour = "reset"          // reads the request, resets the connection (RST)
	CloseMidBody Behaviour = "close-mid-body" // promises 4096 bytes, sends 40, closes
	HugeBody     Behaviour = "huge-body"      // 200 with a 100 MB body
	HTML         Behaviour = "html"           // 200 text/html, a web server's page
	Binary       Behaviour = "binary"         // 200 octet-stream: NULs, control bytes, high bytes
	InvalidUTF8  Behaviour = "invalid-utf8"   // 400 JSON whose code, message and header are not UTF-8
	GzipBomb     Behaviour = "gzip-bomb"      // 200 Content-Encoding gzip: 1 MB that inflates to 1 GiB
	Redirect     Behaviour = "redirect"       // 301/302/303/307/308 to another host and port
	OKWithError  Behaviour = "ok-with-error"  // 200 whose body is an error document
	Status299    Behaviour = "status-299"     // an unknown 2xx
	Status418    Behaviour = "status-418"     // I'm a teapot
	Status599    Behaviour = "status-599"     // an unknown 5xx
	Slow         Behaviour = "slow"           // answers sanely (400 UnknownOperationException), but SlowDelay late
	Conformant   Behaviour = "plain"          // every request: 400 UnknownOperationException (a sane baseline)
)

// SlowDelay is how late Slow answers: well inside any sensible request timeout, so
// that only the run's overall deadline can end a run against it early.
const SlowDelay = 200 * time.Millisecond

// Behaviours lists the catalogue in a stable order (Conformant excluded).
func Behaviours() []Behaviour {
	return []Behaviour{Hang, Trickle, TrickleBody, Reset, CloseMidBody, HugeBody, HTML, Binary, InvalidUTF8,
		GzipBomb, Redirect, OKWithError, Status299, Status418, Status599, Slow}
}

// probeTarget is the operation `cogconform run` sends first to learn whether the
// target is there at all.
const probeTarget = "CogconformReachabilityProbe"

// HugeBodySize is what HugeBody promises and sends.
const HugeBodySize = 100 << 20

// BombSize is what GzipBomb's body inflates to.
const BombSize = 1 << 30

// Options shape a server.
type Options struct {
	// AnswerProbe answers the start-up reachability probe sanely, so that a run gets
	// past start-up and every check meets the behaviour. Without it the probe is
	// treated like any other request.
	AnswerProbe bool
	// TLS, when set, serves TLS with this configuration.
	TLS *tls.Config
	// RedirectTo is the base URL Redirect points at (another host and port).
	RedirectTo string
}

// Server is a misbehaving target on a loopback port.
type Server struct {
	URL string

	b     Behaviour
	opts  Options
	ln    net.Listener
	done  chan struct{}
	wg    sync.WaitGroup
	mu    sync.Mutex
	conns map[net.Conn]struct{}

	requests    atomic.Int64
	connections atomic.Int64
	sent        atomic.Int64 // body bytes written
	redirects   atomic.Int64
}

// Start listens on 127.0.0.1 (any free port) and serves b.
func Start(b Behaviour, opts Options) (*Server, error) {
	return StartOn("127.0.0.1:0", b, opts)
}

// StartOn listens on addr, which must be a loopback address.
func StartOn(addr string, b Behaviour, opts Options) (*Server, error) {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, fmt.Errorf("hostile: address %q: %w", addr, err)
	}
	if ip := net.ParseIP(host); ip == nil || !ip.IsLoopback() {
		return nil, fmt.Errorf("hostile: %s is not a loopback address; a hostile target never leaves the machine", addr)
	}
	if b == Redirect && opts.RedirectTo == "" {
		return nil, errors.New("hostile: Redirect needs Options.RedirectTo")
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("hostile: listening on %s: %w", addr, err)
	}
	scheme := "http"
	if opts.TLS != nil {
		ln = tls.NewListener(ln, opts.TLS)
		scheme = "https"
	}
	s := &Server{URL: scheme + "://" + ln.Addr().String(), b: b, opts: opts, ln: ln, done: make(chan struct{}), conns: map[net.Conn]struct{}{}}
	s.wg.Add(1)
	go s.accept()
	return s, nil
}

// Requests is how many requests the server has read.
func (s *Server) Requests() int64 { return s.requests.Load() }

// Connections is how many connections the server has accepted (a redirect target
// must show zero: not even a connection attempt may reach it).
func (s *Server) Connections() int64 { return s.connections.Load() }

// BodyBytesSent is how many body bytes the server has managed to write.
func (s *Server) BodyBytesSent() int64 { return s.sent.Load() }

// Close stops listening, cuts every open connection and waits for the handlers.
func (s *Server) Close() error {
	close(s.done)
	err := s.ln.Close()
	s.mu.Lock()
	for c := range s.conns {
		c.Close()
	}
	s.mu.Unlock()
	s.wg.Wait()
	return err
}

func (s *Server) accept() {
	defer s.wg.Done()
	for {
		c, err := s.ln.Accept()
		if err != nil {
			return
		}
		s.connections.Add(1)
		s.mu.Lock()
		select {
		case <-s.done:
			s.mu.Unlock()
			c.Close()
			return
		default:
		}
		s.conns[c] = struct{}{}
		s.mu.Unlock()
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			defer func() {
				s.mu.Lock()
				delete(s.conns, c)
				s.mu.Unlock()
				c.Close()
			}()
			s.serve(c)
		}()
	}
}

// serve answers requests on one connection until the behaviour ends it.
func (s *Server) serve(c net.Conn) {
	br := bufio.NewReader(c)
	for {
		req, err := http.ReadRequest(br)
		if err != nil {
			return
		}
		// Read the whole body so that a reset is not mistaken for an unread body.
		_, _ = io.Copy(io.Discard, io.LimitReader(req.Body, 1<<20))
		req.Body.Close()
		s.requests.Add(1)
		if s.opts.AnswerProbe && strings.HasSuffix(req.Header.Get("X-Amz-Target"), "."+probeTarget) {
			if !s.plain(c) {
				return
			}
			continue
		}
		if !s.answer(c, req) {
			return
		}
	}
}

// plain answers as a sane AWS JSON 1.1 endpoint answers an operation it does not know.
func (s *Server) plain(c net.Conn) bool {
	return s.write(c, 400, "application/x-amz-json-1.1", []byte(`{"__type":"UnknownOperationException","message":"unknown operation"}`),
		"x-amzn-ErrorType: UnknownOperationException")
}

// answer misbehaves; it reports whether the connection may serve another request.
func (s *Server) answer(c net.Conn, req *http.Request) bool {
	switch s.b {
	case Hang:
		<-s.done
		return false
	case Trickle:
		return s.trickle(c, "HTTP/1.1 200 OK\r\nContent-Type: application/x-amz-json-1.1\r\nContent-Length: 2\r\n\r\n{}")
	case TrickleBody:
		body := `{"Device":{"DeviceKey":"us-east-1_0000","DeviceAttributes":[]}}`
		if _, err := fmt.Fprintf(c, "HTTP/1.1 200 OK\r\nContent-Type: application/x-amz-json-1.1\r\nContent-Length: %d\r\n\r\n", len(body)); err != nil {
			return false
		}
		return s.trickle(c, body)
	case Reset:
		if tc, ok := c.(*net.TCPConn); ok {
			_ = tc.SetLinger(0) // Close now sends RST instead of FIN
		}
		return false
	case CloseMidBody:
		head := "HTTP/1.1 200 OK\r\nContent-Type: application/x-amz-json-1.1\r\nContent-Length: 4096\r\n\r\n"
		_, _ = io.WriteString(c, head+`{"Device":{"DeviceKey":"us-east-1_`)
		return false
	case HugeBody:
		return s.huge(c)
	case HTML:
		return s.write(c, 200, "text/html; charset=utf-8", []byte("<!DOCTYPE html>\n<html><head><title>Welcome to nginx!</title></head><body><h1>It works!</h1><script>alert(1)</script></body></html>\n"))
	case Binary:
		b := make([]byte, 512)
		for i := range b {
			b[i] = byte(i * 7)
		}
		return s.write(c, 200, "application/octet-stream", b)
	case InvalidUTF8:
		body := []byte("{\"__type\":\"InvalidParameter\xffException\",\"message\":\"bad \xfe\xfd value \xc3\x28 <b>]]></b>\"}")
		return s.write(c, 400, "application/x-amz-json-1.1", body, "x-amzn-ErrorType: Not\xffAuthorized")
	case GzipBomb:
		return s.bomb(c)
	case Redirect:
		codes := []int{301, 302, 303, 307, 308}
		code := codes[int(s.redirects.Add(1))%len(codes)]
		return s.write(c, code, "application/x-amz-json-1.1", []byte(`{}`), "Location: "+s.opts.RedirectTo+"/steal?from="+req.Header.Get("X-Amz-Target"))
	case OKWithError:
		return s.write(c, 200, "application/x-amz-json-1.1", []byte(`{"__type":"NotAuthorizedException","message":"Access Token has been revoked"}`))
	case Status299:
		return s.write(c, 299, "application/x-amz-json-1.1", []byte(`{}`))
	case Status418:
		return s.write(c, 418, "text/plain", []byte("I'm a teapot\n"))
	case Slow:
		select {
		case <-s.done:
			return false
		case <-time.After(SlowDelay):
		}
		return s.plain(c)
	case Status599:
		return s.write(c, 599, "application/x-amz-json-1.1", []byte(`{"__type":"InternalErrorException","message":"network connect timeout"}`))
	default:
		return s.plain(c)
	}
}

// trickle writes msg one byte per second.
func (s *Server) trickle(c net.Conn, msg string) bool {
	for i := 0; i < len(msg); i++ {
		if _, err := c.Write([]byte{msg[i]}); err != nil {
			return false
		}
		select {
		case <-s.done:
			return false
		case <-time.After(time.Second):
		}
	}
	return true
}

// write sends a whole answer with a Content-Length; extra are raw header lines.
func (s *Server) write(c net.Conn, status int, contentType string, body []byte, extra ...string) bool {
	var b bytes.Buffer
	fmt.Fprintf(&b, "HTTP/1.1 %d %s\r\nContent-Type: %s\r\nContent-Length: %d\r\n", status, reason(status), contentType, len(body))
	for _, h := range extra {
		b.WriteString(h + "\r\n")
	}
	b.WriteString("\r\n")
	b.Write(body)
	if _, err := c.Write(b.Bytes()); err != nil {
		return false
	}
	s.sent.Add(int64(len(body)))
	return true
}

func reason(status int) string {
	if t := http.StatusText(status); t != "" {
		return t
	}
	return "Whatever"
}

// huge streams HugeBodySize bytes of one endless JSON string, until the client hangs up.
func (s *Server) huge(c net.Conn) bool {
	head := "HTTP/1.1 200 OK\r\nContent-Type: application/x-amz-json-1.1\r\nContent-Length: " + strconv.Itoa(HugeBodySize) + "\r\n\r\n"
	if _, err := io.WriteString(c, head); err != nil {
		return false
	}
	chunk := bytes.Repeat([]byte("A"), 64<<10)
	copy(chunk, `{"Device":{"DeviceKey":"`)
	for left := HugeBodySize; left > 0; {
		n := min(left, len(chunk))
		if _, err := c.Write(chunk[:n]); err != nil {
			return false
		}
		s.sent.Add(int64(n))
		left -= n
		chunk = bytes.Repeat([]byte("A"), 64<<10)
	}
	return true
}

var (
	bombOnce   sync.Once
	bombMember []byte
)

// bombMemberBytes is one gzip member of 16 MiB of JSON whitespace (about 16 KB
// compressed). Go's gzip reader reads concatenated members as one stream, so 64 of
// them inflate to 1 GiB from about 1 MB on the wire.
func bombMemberBytes() []byte {
	bombOnce.Do(func() {
		var b bytes.Buffer
		zw, _ := gzip.NewWriterLevel(&b, gzip.BestCompression)
		spaces := bytes.Repeat([]byte(" "), 1<<20)
		for range 16 {
			_, _ = zw.Write(spaces)
		}
		_ = zw.Close()
		bombMember = b.Bytes()
	})
	return bombMember
}

func (s *Server) bomb(c net.Conn) bool {
	member := bombMemberBytes()
	members := BombSize / (16 << 20)
	head := fmt.Sprintf("HTTP/1.1 200 OK\r\nContent-Type: application/x-amz-json-1.1\r\nContent-Encoding: gzip\r\nContent-Length: %d\r\n\r\n", len(member)*members)
	if _, err := io.WriteString(c, head); err != nil {
		return false
	}
	for range members {
		if _, err := c.Write(member); err != nil {
			return false
		}
		s.sent.Add(int64(len(member)))
	}
	return true
}

// Refused returns a loopback URL where nothing listens: a port that was free a
// moment ago, closed again.
func Refused() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", fmt.Errorf("hostile: finding a free port: %w", err)
	}
	addr := ln.Addr().String()
	if err := ln.Close(); err != nil {
		return "", fmt.Errorf("hostile: closing %s: %w", addr, err)
	}
	return "http://" + addr, nil
}
