package ai

import (
	"errors"
	"net"
	"net/http"
	"net/netip"
	"syscall"
	"time"

	"tftsr/domain"
)

// guardedTransport is the transport of the clients the package makes for itself: like Go's
// default one, but every connection is checked after name resolution, so a host name that
// resolves to a link-local or metadata address (domain.ForbiddenAddr) is refused too, not only
// a literal one in a URL.
func guardedTransport() *http.Transport {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.DialContext = guardedDialer().DialContext
	return t
}

// guardedDialer is the dialer of guardedTransport.
func guardedDialer() *net.Dialer {
	return &net.Dialer{Timeout: 30 * time.Second, KeepAlive: 30 * time.Second, Control: refuseForbidden}
}

// errForbiddenAddr is the error of a connection to a link-local or metadata address.
var errForbiddenAddr = errors.New("connections to link-local and cloud metadata addresses are refused")

// refuseForbidden is a net.Dialer Control function: it runs for each address a connection is
// about to be made to, after name resolution.
func refuseForbidden(_, address string, _ syscall.RawConn) error {
	host, _, err := net.SplitHostPort(address)
	if err != nil {
		host = address
	}
	if a, err := netip.ParseAddr(host); err == nil && domain.ForbiddenAddr(a) {
		return errForbiddenAddr
	}
	return nil
}
