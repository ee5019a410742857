// Written for this project (not part of github.com/abbot/go-http-auth): tools/traefik/build.mjs adds
// this file to a copy of go-http-auth v0.4.0 taken from the module cache at build time.
//
// Traefik pins an untagged commit of its fork github.com/containous/go-http-auth, which the Go module
// proxy does not serve; v0.4.0 is served but lacks the two functions Traefik's auth middlewares call.

package auth

import (
	"fmt"
	"net/http"
	"strings"
	"time"
)

// CheckSecret reports whether password matches secret, an htpasswd entry's hash: "{SHA}" (SHA-1),
// "$2a$", "$2b$", "$2x$", "$2y$" (bcrypt), anything else as an MD5-crypt ("$1$", "$apr1$") entry,
// the same comparison v0.4.0's BasicAuth.CheckAuth makes.
func CheckSecret(password, secret string) bool {
	compare := compareFuncs[0].compare
	for _, cmp := range compareFuncs[1:] {
		if strings.HasPrefix(secret, cmp.prefix) {
			compare = cmp.compare
			break
		}
	}
	return compare([]byte(secret), []byte(password)) == nil
}

// RequireAuthStale is RequireAuth with stale=true in the challenge (RFC 2617 section 3.2.1): the
// client's credentials were right but its nonce is unknown, so it may retry without asking the user.
// (v0.4.0's CheckAuth never reports a stale nonce, so Traefik reaches this only through its own code.)
func (a *DigestAuth) RequireAuthStale(w http.ResponseWriter, r *http.Request) {
	a.mutex.Lock()
	if len(a.clients) > a.ClientCacheSize+a.ClientCacheTolerance {
		a.Purge(a.ClientCacheTolerance * 2)
	}
	nonce := RandomKey()
	a.clients[nonce] = &digest_client{nc: 0, last_seen: time.Now().UnixNano()}
	a.mutex.Unlock()
	w.Header().Set(contentType, a.Headers.V().UnauthContentType)
	w.Header().Set(a.Headers.V().Authenticate,
		fmt.Sprintf(`Digest realm="%s", nonce="%s", opaque="%s", algorithm="MD5", qop="auth", stale=true`,
			a.Realm, nonce, a.Opaque))
	w.WriteHeader(a.Headers.V().UnauthCode)
	_, _ = w.Write([]byte(a.Headers.V().UnauthResponse))
}
