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
	// Seq is the sequence number of the login that issued the ticket
	// (taro.SessionRecord.Seq): login order is decided by it.
	Seq uint64
	// IssuedAt and ExpiresAt are by the store's clock (the login's session
	// record's IssuedAt, plus Config.TTL).
	IssuedAt  time.Time
	ExpiresAt time.Time
	// LastUsed is when the ticket was last used, by the store's clock, to
	// within the touch interval (Config.IdleTimeout/10).
	LastUsed time.Time
}

// StoredTicket is a ticket record with its id.
type StoredTicket struct {
	ID     TicketID
	Ticket TicketRecord
}

// Query says what LookupTicket is to read and record besides the ticket.
type Query struct {
	// Newest asks for the user's newest ticket too (Lookup.Newest): the
	// one with the highest Seq, also when the ticket looked up is not
	// found (a ticket a newer login replaced).
	Newest bool
	// TouchAfter, when positive, asks the store to record the store's
	// clock as the ticket's LastUsed when its LastUsed is at least that
	// old, unless the ticket is idle already (LastUsed at least Idle old,
	// when Idle is positive). Touching is the only write of a lookup, at
	// most one per ticket per TouchAfter.
	TouchAfter, Idle time.Duration
	// Fresh asks a store that caches reads to read past its cache: the
	// Manager asks again with Fresh before refusing a ticket on a lookup
	// that came from a cache (Lookup.Cached).
	Fresh bool
}

// Lookup is a ticket's record and its user's newest session record, read
// together, with the store's clock.
type Lookup struct {
	Ticket       TicketRecord
	Found        bool
	Session      taro.SessionRecord
	SessionFound bool
	// Newest is the user's newest live ticket other than the one looked
	// up, when Query.Newest asked for it and there is one newer than the
	// ticket (or the ticket is not found).
	Newest      StoredTicket
	NewestFound bool
	// LoggedOutBefore is the user's LogoutAll watermark: every ticket
	// whose Seq is at or below it is refused, even one stored after the
	// LogoutAll returned (a login in flight). Zero: none.
	LoggedOutBefore uint64
	// Now is the store's clock at the lookup.
	Now time.Time
	// Cached reports that some of the lookup came from a cache that may
	// lag another replica's write by moments (a store with client-side
	// caching): the Manager refuses no ticket on it without a Fresh
	// lookup.
	Cached bool
}

// UserLookup is every ticket a store holds for a user, with the user's
// newest session record and the store's clock.
type UserLookup struct {
	Tickets      []StoredTicket
	Session      taro.SessionRecord
	SessionFound bool
	// LoggedOutBefore is the user's LogoutAll watermark (Lookup's).
	LoggedOutBefore uint64
	Now             time.Time
}

// Store keeps ticket records. Implementations must be safe for concurrent
// use; an error from any method makes the request fail with 503, never 401.
// Every time is the store's clock, never a replica's.
type Store interface {
	// PutTicket stores rec under id until rec.ExpiresAt (by the store's
	// clock) and keeps at most keep of the user's tickets, those with the
	// highest Seq: the others end, in the same atomic step.
	PutTicket(ctx context.Context, id TicketID, rec TicketRecord, keep int) error
	// LookupTicket returns id's record and the newest session record of
	// user (what the client's taro.SessionStore holds for it), and what q
	// asks for, in one round trip where the store is remote.
	LookupTicket(ctx context.Context, id TicketID, user taro.SessionKeyID, q Query) (Lookup, error)
	// DeleteTicket removes id's record.
	DeleteTicket(ctx context.Context, id TicketID, user taro.SessionKeyID) error
	// UserTickets returns every ticket record of user.
	UserTickets(ctx context.Context, user taro.SessionKeyID) (UserLookup, error)
	// DeleteUserTickets removes every ticket record of user and, in the
	// same step, raises the user's LogoutAll watermark to the Seq of the
	// user's newest session record, so that a ticket of a login recorded
	// before it is refused even when it is stored afterwards (a login in
	// flight). The watermark lives at least as long as such a ticket.
	DeleteUserTickets(ctx context.Context, user taro.SessionKeyID) error
}

// MemoryStore is the default Store: tickets in this process's memory, and
// the session records of a taro.SessionStore. It serves one process; use
// store/redisstore for replicas.
type MemoryStore struct {
	// Now is the store's clock; nil means time.Now. A Manager made with a
	// nil Config.Store gives its store Config.Now.
	Now func() time.Time

	sessions taro.SessionStore

	mu      sync.Mutex
	tickets map[TicketID]TicketRecord
	users   map[taro.SessionKeyID]map[TicketID]struct{}
	// marks are the users' LogoutAll watermarks.
	marks map[taro.SessionKeyID]uint64
}

// NewMemoryStore returns a memory store reading session records from
// sessions (the taro.Client's session store).
func NewMemoryStore(sessions taro.SessionStore) *MemoryStore {
	return &MemoryStore{sessions: sessions, tickets: map[TicketID]TicketRecord{}, users: map[taro.SessionKeyID]map[TicketID]struct{}{},
		marks: map[taro.SessionKeyID]uint64{}}
}

func (s *MemoryStore) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

// dropLocked removes a ticket; s.mu is held.
func (s *MemoryStore) dropLocked(id TicketID, u taro.SessionKeyID) {
	delete(s.tickets, id)
	if ids := s.users[u]; ids != nil {
		delete(ids, id)
		if len(ids) == 0 {
			delete(s.users, u)
		}
	}
}

// liveLocked returns the user's unexpired tickets, dropping expired ones;
// s.mu is held.
func (s *MemoryStore) liveLocked(u taro.SessionKeyID, now time.Time) []StoredTicket {
	var out []StoredTicket
	for id := range s.users[u] {
		rec, ok := s.tickets[id]
		if !ok || !now.Before(rec.ExpiresAt) {
			s.dropLocked(id, u)
			continue
		}
		out = append(out, StoredTicket{ID: id, Ticket: rec})
	}
	return out
}

// PutTicket implements Store. Expired records are purged as new ones come.
func (s *MemoryStore) PutTicket(ctx context.Context, id TicketID, rec TicketRecord, keep int) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	now := s.now()
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.tickets) >= 1024 && len(s.tickets)%1024 == 0 {
		for k, r := range s.tickets {
			if !now.Before(r.ExpiresAt) {
				s.dropLocked(k, r.User)
			}
		}
	}
	s.tickets[id] = rec
	if s.users[rec.User] == nil {
		s.users[rec.User] = map[TicketID]struct{}{}
	}
	s.users[rec.User][id] = struct{}{}
	live := s.liveLocked(rec.User, now)
	for len(live) > max(keep, 1) {
		oldest := 0
		for i, t := range live {
			if t.Ticket.Seq < live[oldest].Ticket.Seq {
				oldest = i
			}
		}
		s.dropLocked(live[oldest].ID, rec.User)
		live = append(live[:oldest], live[oldest+1:]...)
	}
	return nil
}

// LookupTicket implements Store.
func (s *MemoryStore) LookupTicket(ctx context.Context, id TicketID, user taro.SessionKeyID, q Query) (Lookup, error) {
	if err := ctx.Err(); err != nil {
		return Lookup{}, err
	}
	now := s.now()
	l := Lookup{Now: now}
	s.mu.Lock()
	rec, ok := s.tickets[id]
	if ok && q.TouchAfter > 0 {
		age := now.Sub(rec.LastUsed)
		if age >= q.TouchAfter && (q.Idle <= 0 || age < q.Idle) {
			rec.LastUsed = now
			s.tickets[id] = rec
		}
	}
	if q.Newest {
		for tid := range s.users[user] {
			t, live := s.tickets[tid]
			if live && tid != id && now.Before(t.ExpiresAt) && t.Seq > l.Newest.Ticket.Seq {
				l.Newest, l.NewestFound = StoredTicket{ID: tid, Ticket: t}, true
			}
		}
		if ok && l.NewestFound && l.Newest.Ticket.Seq < rec.Seq {
			l.Newest, l.NewestFound = StoredTicket{}, false
		}
	}
	l.LoggedOutBefore = s.marks[user]
	s.mu.Unlock()
	l.Ticket, l.Found = rec, ok
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
func (s *MemoryStore) DeleteTicket(ctx context.Context, id TicketID, u taro.SessionKeyID) error {
	s.mu.Lock()
	s.dropLocked(id, u)
	s.mu.Unlock()
	return nil
}

// UserTickets implements Store.
func (s *MemoryStore) UserTickets(ctx context.Context, u taro.SessionKeyID) (UserLookup, error) {
	if err := ctx.Err(); err != nil {
		return UserLookup{}, err
	}
	now := s.now()
	s.mu.Lock()
	out := UserLookup{Tickets: s.liveLocked(u, now), Now: now, LoggedOutBefore: s.marks[u]}
	s.mu.Unlock()
	sr, found, err := s.sessions.LookupSession(ctx, u)
	if err != nil {
		return UserLookup{}, err
	}
	out.Session, out.SessionFound = sr, found
	return out, nil
}

// DeleteUserTickets implements Store.
func (s *MemoryStore) DeleteUserTickets(ctx context.Context, u taro.SessionKeyID) error {
	sr, found, err := s.sessions.LookupSession(ctx, u)
	if err != nil {
		return err
	}
	s.mu.Lock()
	if found && sr.Seq > s.marks[u] {
		s.marks[u] = sr.Seq
	}
	for id := range s.users[u] {
		delete(s.tickets, id)
	}
	delete(s.users, u)
	s.mu.Unlock()
	return nil
}

// Len reports how many ticket records are held.
func (s *MemoryStore) Len() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.tickets)
}
