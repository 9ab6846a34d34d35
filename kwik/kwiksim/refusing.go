//go:build unix

package kwiksim

import (
	"fmt"
	"syscall"
)

// RefusingURL returns a base URL on 127.0.0.1 where KwikAPI looks down: the port is bound but
// not listening, so every connection is refused at once. Unlike a closed listener's port, it
// stays reserved until release is called, so no server started meanwhile can take it.
func RefusingURL() (baseURL string, release func() error, err error) {
	fd, err := syscall.Socket(syscall.AF_INET, syscall.SOCK_STREAM, 0)
	if err != nil {
		return "", nil, fmt.Errorf("open socket: %w", err)
	}
	release = func() error { return syscall.Close(fd) }

	if err := syscall.Bind(fd, &syscall.SockaddrInet4{Addr: [4]byte{127, 0, 0, 1}}); err != nil {
		release()
		return "", nil, fmt.Errorf("bind socket: %w", err)
	}
	addr, err := syscall.Getsockname(fd)
	if err != nil {
		release()
		return "", nil, fmt.Errorf("read socket address: %w", err)
	}
	return fmt.Sprintf("http://127.0.0.1:%d", addr.(*syscall.SockaddrInet4).Port), release, nil
}
