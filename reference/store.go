package reference

import (
	"crypto/rand"
	"encoding/hex"
	"sort"
	"time"
)

// The in-memory state. Every field of these types is guarded by Server.mu.

type pool struct {
	id, name, arn string
	created       time.Time
	modified      time.Time
	devices       *deviceConfig // nil: device tracking off, sign-ins issue no device
	clients       map[string]*appClient
	users         map[string]*user // by username
	refresh       map[string]refreshRef
}

type deviceConfig struct {
	challengeRequiredOnNewDevice     bool
	deviceOnlyRememberedOnUserPrompt bool
}

type appClient struct {
	id, name string
	flows    []string
	created  time.Time
}

type user struct {
	username, sub, password string
	status                  string // FORCE_CHANGE_PASSWORD or CONFIRMED
	enabled                 bool
	created, modified       time.Time
	attributes              map[string]string
	sessions                map[string]*session // by origin_jti
	devices                 map[string]*device  // by device key
	nextSeq                 uint64
}

// session is one sign-in: every token it issues carries its origin_jti, and a global
// sign-out revokes all of a user's sessions at once.
type session struct {
	originJTI string
	clientID  string
	authTime  time.Time
	deviceKey string
	revoked   bool
}

type refreshRef struct {
	username, originJTI string
}

type device struct {
	key, groupKey string
	seq           uint64 // creation order: listing order and pagination cursor
	confirmed     bool
	name          string
	remembered    string
	lastIP        string
	salt          string
	verifier      string
	created       time.Time
	modified      time.Time
	lastAuth      time.Time
	forgotten     bool // only under the forgotten-device-listed defect; otherwise deleted
}

// Statuses and attribute names Cognito reports.
const (
	statusForceChange   = "FORCE_CHANGE_PASSWORD"
	statusConfirmed     = "CONFIRMED"
	rememberedValue     = "remembered"
	notRememberedValue  = "not_remembered"
	attrRememberedState = "dev:device_remembered_status"
)

// lookupUser finds a user by username or by sub, as Cognito's Admin operations accept either.
func (p *pool) lookupUser(name string) *user {
	if u := p.users[name]; u != nil {
		return u
	}
	for _, u := range p.users {
		if u.sub == name {
			return u
		}
	}
	return nil
}

// visibleDevices lists a user's confirmed devices in creation order.
func (u *user) visibleDevices(includeForgotten bool) []*device {
	var ds []*device
	for _, d := range u.devices {
		if d.confirmed && (!d.forgotten || includeForgotten) {
			ds = append(ds, d)
		}
	}
	sort.Slice(ds, func(i, j int) bool { return ds[i].seq < ds[j].seq })
	return ds
}

const alnum = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"

// randomFrom draws n characters of an alphabet uniformly from crypto/rand.
func randomFrom(alphabet string, n int) string {
	out := make([]byte, n)
	buf := make([]byte, n*2)
	for i := 0; i < n; {
		if _, err := rand.Read(buf); err != nil {
			panic("reference: crypto/rand failed: " + err.Error()) // never on a supported platform
		}
		for _, b := range buf {
			// Rejection sampling keeps the draw uniform.
			if int(b) >= 256-256%len(alphabet) {
				continue
			}
			out[i] = alphabet[int(b)%len(alphabet)]
			i++
			if i == n {
				break
			}
		}
	}
	return string(out)
}

func randomAlnum(n int) string { return randomFrom(alnum, n) }

// newUUID returns a random (version 4) UUID in lower case.
func newUUID() string {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic("reference: crypto/rand failed: " + err.Error())
	}
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b[:])
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]
}

// epoch is AWS JSON's timestamp: seconds since the epoch, with milliseconds.
func epoch(t time.Time) float64 { return float64(t.UnixMilli()) / 1000 }
