package login

import (
	"context"
	"sync"
	"time"

	"github.com/tarogo/adapter/taro"
)

// TicketRecord is what a Store keeps for a ticket, under the ticket's
// SHA-256: never the ticket, never the session key in clear.
type TicketRecord struct {
	User    taro.SessionKeyID
	UnionID string
	// SealedKey is the session key sealed with AES-256-GCM.
	SealedKey []byte
	IssuedAt  time.Time
	ExpiresAt time.Time
}

// Lookup is a ticket's record and its user's newest session record, read
// together.
type Lookup struct {
	Ticket       TicketRecord
	Found        bool
	Session      taro.SessionRecord
	SessionFound bool
}

// Store keeps ticket records. Implementations must be safe for concurrent
// use; an error from any method makes the request fail with 503, never 401.
type Store interface {
	// PutTicket stores rec under id until rec.ExpiresAt.
	PutTicket(ctx context.Context, id TicketID, rec TicketRecord) error
	// LookupTicket returns id's record and the newest session record of
	// user (what the client's taro.SessionStore holds for it), in one
	// round trip where the store is remote.
	LookupTicket(ctx context.Context, id TicketID, user taro.SessionKeyID) (Lookup, error)
	// DeleteTicket removes id's record.
	DeleteTicket(ctx context.Context, id TicketID, user taro.SessionKeyID) error
}

// MemoryStore is the default Store: tickets in this process's memory, and
// the session records of a taro.SessionStore. It serves one process; use
// store/redisstore for replicas.
type MemoryStore struct {
	sessions taro.SessionStore
	now      func() time.Time

	mu      sync.Mutex
	tickets map[TicketID]TicketRecord
}

// NewMemoryStore returns a memory store reading session records from
// sessions (the taro.Client's session store).
func NewMemoryStore(sessions taro.SessionStore) *MemoryStore {
	return &MemoryStore{sessions: sessions, now: time.Now, tickets: map[TicketID]TicketRecord{}}
}

// PutTicket implements Store. Expired records are purged as new ones come.
func (s *MemoryStore) PutTicket(ctx context.Context, id TicketID, rec TicketRecord) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.tickets) >= 1024 && len(s.tickets)%1024 == 0 {
		now := s.now()
		for k, r := range s.tickets {
			if !now.Before(r.ExpiresAt) {
				delete(s.tickets, k)
			}
		}
	}
	s.tickets[id] = rec
	return nil
}

// LookupTicket implements Store.
func (s *MemoryStore) LookupTicket(ctx context.Context, id TicketID, user taro.SessionKeyID) (Lookup, error) {
	s.mu.Lock()
	rec, ok := s.tickets[id]
	s.mu.Unlock()
	l := Lookup{Ticket: rec, Found: ok}
	if !ok {
		return l, nil
	}
	sr, found, err := s.sessions.LookupSession(ctx, user)
	if err != nil {
		return Lookup{}, err
	}
	l.Session, l.SessionFound = sr, found
	return l, nil
}

// DeleteTicket implements Store.
func (s *MemoryStore) DeleteTicket(ctx context.Context, id TicketID, _ taro.SessionKeyID) error {
	s.mu.Lock()
	delete(s.tickets, id)
	s.mu.Unlock()
	return nil
}

// Len reports how many ticket records are held.
func (s *MemoryStore) Len() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.tickets)
}
