//go:build !unix

package kwiksim

import (
	"fmt"
	"net"
)

// RefusingURL returns a base URL on 127.0.0.1 where KwikAPI looks down. Here it is the port of a
// closed listener, which another server may take before the caller uses it. release does nothing.
func RefusingURL() (baseURL string, release func() error, err error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", nil, fmt.Errorf("reserve port: %w", err)
	}
	baseURL = "http://" + l.Addr().String()
	if err := l.Close(); err != nil {
		return "", nil, fmt.Errorf("close listener: %w", err)
	}
	return baseURL, func() error { return nil }, nil
}
