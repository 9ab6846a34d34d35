//go:build unix

package kwiksim_test

import (
	"errors"
	"net"
	"net/url"
	"syscall"
	"testing"

	"github.com/rechargebot/rechargebot/kwik/kwiksim"
)

func TestRefusingURLKeepsPortReserved(t *testing.T) {
	baseURL, release, err := kwiksim.RefusingURL()
	if err != nil {
		t.Fatal(err)
	}
	u, err := url.Parse(baseURL)
	if err != nil {
		t.Fatal(err)
	}

	if conn, err := net.Dial("tcp", u.Host); err == nil {
		conn.Close()
		t.Fatalf("dial %s succeeded, want the connection refused", u.Host)
	} else if !errors.Is(err, syscall.ECONNREFUSED) {
		t.Errorf("dial %s: %v, want connection refused", u.Host, err)
	}
	if l, err := net.Listen("tcp", u.Host); err == nil {
		l.Close()
		t.Errorf("a listener took %s while it was reserved", u.Host)
	}

	if err := release(); err != nil {
		t.Fatalf("release: %v", err)
	}
	l, err := net.Listen("tcp", u.Host)
	if err != nil {
		t.Fatalf("listen on %s after release: %v", u.Host, err)
	}
	l.Close()
}
