// Package session keeps sellers signed in, and signs them out everywhere at once when they ask. A session is a row
// in Postgres (the truth) and a cookie that carries its id sealed with an AEAD. Redis holds a fast flag per revoked
// session; when Redis is unreachable, or has lost its data, every check goes to Postgres instead, so nobody revoked
// gets in and nobody valid is thrown out.
//
// It must never accept a cookie it cannot open, extend a session past its hard cap, or store a session id in clear.
package session

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/gorilla/securecookie"
	"github.com/jackc/pgx/v5"
	"github.com/redis/go-redis/v9"

	"github.com/profitline/profitline/internal/clock"
	"github.com/profitline/profitline/internal/store"
	"github.com/profitline/profitline/internal/store/systemdb"
	"github.com/profitline/profitline/internal/store/tenantdb"
	"github.com/profitline/profitline/internal/vault"
)

// CookieName is the session cookie. The __Host- prefix makes browsers refuse it unless Secure, Path=/ and
// host-only, so a sibling subdomain can never set or shadow it.
const CookieName = "__Host-session"

// Config sets the session lifetimes.
type Config struct {
	Idle       time.Duration // signed out after this long without a request (default 7 days)
	Max        time.Duration // signed out this long after sign-in, however active (default 30 days)
	TouchEvery time.Duration // how often activity is written back (default 1 minute)
	SyncEvery  time.Duration // how often Sync runs (default 5 seconds)
	KeyPrefix  string        // Redis key prefix
}

func (c Config) withDefaults() Config {
	if c.Idle == 0 {
		c.Idle = 7 * 24 * time.Hour
	}
	if c.Max == 0 {
		c.Max = 30 * 24 * time.Hour
	}
	if c.TouchEvery == 0 {
		c.TouchEvery = time.Minute
	}
	if c.SyncEvery == 0 {
		c.SyncEvery = 5 * time.Second
	}
	return c
}

// Manager starts, checks and ends sessions.
type Manager struct {
	st    *store.Store
	rdb   redis.UniversalClient
	codec *Codec
	clock clock.Clock
	cfg   Config
	log   *slog.Logger
}

// NewManager builds a manager. keys is the session key ring (SESSION_KEYS), separate from the data key ring.
func NewManager(st *store.Store, rdb redis.UniversalClient, keys *vault.KeyRing, clk clock.Clock, cfg Config, log *slog.Logger) *Manager {
	return &Manager{st: st, rdb: rdb, codec: NewCodec(keys, "session.cookie"), clock: clk, cfg: cfg.withDefaults(), log: log}
}

// Session is a signed-in seller's session.
type Session struct {
	UserID   int64
	IDHash   []byte
	IssuedAt time.Time
	LastSeen time.Time
	// AuthAt is when the seller last proved who they are (signed in, or entered the password again); sensitive
	// actions ask for it to be recent.
	AuthAt time.Time

	claims claims
}

// Reauthenticated returns s's cookie re-sealed to say the seller entered their password just now. Issued-at stays.
func (m *Manager) Reauthenticated(s *Session) (*http.Cookie, error) {
	cl := s.claims
	cl.AuthAt = m.clock.Now().Unix()
	return m.cookie(cl)
}

// Meta describes the browser, coarsely, for the seller's list of sessions.
type Meta struct {
	UserAgent string
	IPHint    string
}

// ErrSignedOut means the request carries no usable session: none, unreadable, expired or revoked.
var ErrSignedOut = errors.New("session: signed out")

// Start creates a session for tx's tenant, inside tx (the sign-in transaction), and returns its cookie. Every
// sign-in gets a new random id.
func (m *Manager) Start(ctx context.Context, tx *store.Tx, meta Meta) (*http.Cookie, error) {
	id := make([]byte, 32)
	_, _ = rand.Read(id) // never fails since Go 1.24
	now := m.clock.Now().Truncate(time.Second)
	err := tx.Q.InsertSession(ctx, tenantdb.InsertSessionParams{
		UserID: tx.UserID, IDHash: hashID(id), CreatedAt: now, ExpiresAt: now.Add(m.cfg.Max),
		UserAgent: meta.UserAgent, IpHint: meta.IPHint,
	})
	if err != nil {
		return nil, fmt.Errorf("session: start: %w", err)
	}
	return m.cookie(claims{SessionID: id, UserID: tx.UserID, IssuedAt: now.Unix(), LastSeen: now.Unix(), AuthAt: now.Unix()})
}

// Load returns the request's session. When activity should be recorded it also returns a re-sealed cookie to set
// (same issued-at, new last-seen); otherwise the cookie is nil.
func (m *Manager) Load(ctx context.Context, r *http.Request) (*Session, *http.Cookie, error) {
	c, err := r.Cookie(CookieName)
	if err != nil {
		return nil, nil, ErrSignedOut
	}
	var cl claims
	if err := securecookie.DecodeMulti(CookieName, c.Value, &cl, m.codec); err != nil || len(cl.SessionID) != 32 || cl.UserID <= 0 {
		return nil, nil, ErrSignedOut
	}
	now := m.clock.Now()
	issued, lastSeen := time.Unix(cl.IssuedAt, 0).UTC(), time.Unix(cl.LastSeen, 0).UTC()
	if now.Sub(issued) > m.cfg.Max || now.Sub(lastSeen) > m.cfg.Idle {
		return nil, nil, ErrSignedOut
	}
	s := &Session{UserID: cl.UserID, IDHash: hashID(cl.SessionID), IssuedAt: issued, LastSeen: lastSeen,
		AuthAt: time.Unix(cl.AuthAt, 0).UTC(), claims: cl}
	revoked, err := m.revoked(ctx, s)
	if err != nil {
		return nil, nil, err
	}
	if revoked {
		return nil, nil, ErrSignedOut
	}
	if now.Sub(lastSeen) < m.cfg.TouchEvery {
		return s, nil, nil
	}
	s.LastSeen = now.Truncate(time.Second)
	err = m.st.InTenant(ctx, s.UserID, func(tx *store.Tx) error {
		return tx.Q.TouchSession(ctx, tenantdb.TouchSessionParams{LastSeenAt: s.LastSeen, UserID: s.UserID, IDHash: s.IDHash})
	})
	if err != nil {
		return nil, nil, fmt.Errorf("session: touch: %w", err)
	}
	cl.LastSeen = s.LastSeen.Unix()
	s.claims = cl
	fresh, err := m.cookie(cl)
	return s, fresh, err
}

// revoked asks Redis first; Postgres answers when Redis is unreachable or not yet rebuilt after losing its data.
func (m *Manager) revoked(ctx context.Context, s *Session) (bool, error) {
	vals, err := m.rdb.MGet(ctx, m.readyKey(), m.flagKey(s.IDHash)).Result()
	if err == nil && vals[0] != nil {
		return vals[1] != nil, nil
	}
	if err != nil {
		m.log.Warn("session: Redis unreachable, checking revocation in Postgres", "err", err)
	}
	var revoked bool
	err = m.st.InTenant(ctx, s.UserID, func(tx *store.Tx) error {
		row, err := tx.Q.GetSession(ctx, tenantdb.GetSessionParams{UserID: s.UserID, IDHash: s.IDHash})
		if errors.Is(err, pgx.ErrNoRows) {
			revoked = true // deleted with its account, or never existed
			return nil
		}
		if err != nil {
			return err
		}
		revoked = row.RevokedAt != nil || !m.clock.Now().Before(row.ExpiresAt)
		return nil
	})
	if err != nil {
		return false, fmt.Errorf("session: check revocation: %w", err)
	}
	return revoked, nil
}

// Revoke ends the given sessions of a user (all of them when idHashes is nil), except keep (nil for none). Postgres
// is written first; the Redis flags follow, and a revocation Redis missed is retried by Sync.
func (m *Manager) Revoke(ctx context.Context, userID int64, idHashes [][]byte, keep []byte) (int, error) {
	var rows []tenantdb.RevokeSessionsRow
	err := m.st.InTenant(ctx, userID, func(tx *store.Tx) error {
		var err error
		rows, err = tx.Q.RevokeSessions(ctx, tenantdb.RevokeSessionsParams{Now: m.clock.Now(), UserID: userID, IDHashes: idHashes, Keep: keep})
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("session: revoke: %w", err)
	}
	flags := make([]revokedFlag, len(rows))
	for i, r := range rows {
		flags[i] = revokedFlag{userID: userID, idHash: r.IDHash, expiresAt: r.ExpiresAt}
	}
	if err := m.raiseFlags(ctx, flags); err != nil {
		m.log.Warn("session: Redis missed a revocation; Postgres holds it and the sync will retry", "user_id", userID, "err", err)
	}
	return len(rows), nil
}

// List returns a user's live sessions, newest activity first.
func (m *Manager) List(ctx context.Context, tx *store.Tx) ([]tenantdb.ListActiveSessionsRow, error) {
	return tx.Q.ListActiveSessions(ctx, tenantdb.ListActiveSessionsParams{UserID: tx.UserID, Now: m.clock.Now()})
}

// Sync makes Redis agree with Postgres: after Redis lost its data it rebuilds every flag and then marks Redis ready;
// otherwise it raises the flags of revocations that Redis missed. Run does it every SyncEvery. The ready marker lives
// three intervals, so when no instance can sync (Redis unreachable for all) it lapses and checks go to Postgres until
// a sync has rebuilt the flags: a revocation Redis missed is enforced within one interval of Redis coming back.
func (m *Manager) Sync(ctx context.Context) error {
	ready, err := m.rdb.Exists(ctx, m.readyKey()).Result()
	if err != nil {
		return fmt.Errorf("session: sync: %w", err)
	}
	var rows []systemdb.RevokedSessionsAliveRow
	err = m.st.System(ctx, func(q *systemdb.Queries) error {
		var err error
		rows, err = q.RevokedSessionsAlive(ctx, systemdb.RevokedSessionsAliveParams{At: m.clock.Now(), OnlyUnsynced: ready == 1})
		return err
	})
	if err != nil {
		return fmt.Errorf("session: sync: %w", err)
	}
	flags := make([]revokedFlag, len(rows))
	for i, r := range rows {
		flags[i] = revokedFlag{userID: r.UserID, idHash: r.IDHash, expiresAt: r.ExpiresAt}
	}
	if err := m.raiseFlags(ctx, flags); err != nil {
		return fmt.Errorf("session: sync: %w", err)
	}
	return m.rdb.Set(ctx, m.readyKey(), m.clock.Now().Unix(), 3*m.cfg.SyncEvery).Err()
}

// Run calls Sync every SyncEvery until ctx ends.
func (m *Manager) Run(ctx context.Context) {
	t := time.NewTicker(m.cfg.SyncEvery)
	defer t.Stop()
	for {
		if err := m.Sync(ctx); err != nil && ctx.Err() == nil {
			m.log.Warn("session: sync with Redis failed; checks use Postgres meanwhile", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

type revokedFlag struct {
	userID    int64
	idHash    []byte
	expiresAt time.Time
}

// raiseFlags sets the Redis flag of each revoked session (kept until the session would have expired anyway), then
// records in Postgres that Redis has them.
func (m *Manager) raiseFlags(ctx context.Context, flags []revokedFlag) error {
	if len(flags) == 0 {
		return nil
	}
	now := m.clock.Now()
	_, err := m.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		for _, f := range flags {
			p.Set(ctx, m.flagKey(f.idHash), 1, max(f.expiresAt.Sub(now), time.Second))
		}
		return nil
	})
	if err != nil {
		return err
	}
	byUser := map[int64][][]byte{}
	for _, f := range flags {
		byUser[f.userID] = append(byUser[f.userID], f.idHash)
	}
	for userID, hashes := range byUser {
		err := m.st.InTenant(ctx, userID, func(tx *store.Tx) error {
			return tx.Q.MarkRevocationsSynced(ctx, tenantdb.MarkRevocationsSyncedParams{UserID: userID, IDHashes: hashes})
		})
		if err != nil {
			return err
		}
	}
	return nil
}

func (m *Manager) cookie(cl claims) (*http.Cookie, error) {
	value, err := securecookie.EncodeMulti(CookieName, cl, m.codec)
	if err != nil {
		return nil, err
	}
	expires := time.Unix(cl.IssuedAt, 0).Add(m.cfg.Max)
	if idle := time.Unix(cl.LastSeen, 0).Add(m.cfg.Idle); idle.Before(expires) {
		expires = idle
	}
	return &http.Cookie{
		Name: CookieName, Value: value, Path: "/", Expires: expires.UTC(),
		Secure: true, HttpOnly: true, SameSite: http.SameSiteLaxMode,
	}, nil
}

// Clear is the cookie that removes the session cookie from the browser.
func Clear() *http.Cookie {
	return &http.Cookie{Name: CookieName, Value: "", Path: "/", MaxAge: -1, Secure: true, HttpOnly: true, SameSite: http.SameSiteLaxMode}
}

// HashID is how a session id is stored and flagged: never in clear.
func HashID(id []byte) []byte { return hashID(id) }

func hashID(id []byte) []byte {
	h := sha256.Sum256(id)
	return h[:]
}

func (m *Manager) readyKey() string { return m.cfg.KeyPrefix + "session:ready" }

func (m *Manager) flagKey(idHash []byte) string {
	return m.cfg.KeyPrefix + "session:revoked:" + fmt.Sprintf("%x", idHash)
}
