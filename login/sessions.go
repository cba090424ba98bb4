package login

import (
	"context"
	"crypto/subtle"
	"encoding/hex"
	"slices"
	"time"

	"github.com/tarogo/adapter/taro"
)

// Logout ends a ticket: later requests with it are 401. Logging out an
// unknown or malformed ticket is not an error (nothing to end).
func (m *Manager) Logout(ctx context.Context, ticket string) (err error) {
	ctx, end := m.span(ctx, "login.logout")
	var p taro.Platform
	defer func() { end(p, err) }()
	id, uid, perr := m.parse(ticket)
	if perr != nil {
		return nil
	}
	p = uid.Platform
	m.mu.Lock()
	delete(m.checked, id)
	m.mu.Unlock()
	if err := m.store.DeleteTicket(ctx, id, uid); err != nil {
		return storeError(ctx, uid.Platform, "logout", err)
	}
	return nil
}

// SessionInfo describes one live session (ticket) of a user.
type SessionInfo struct {
	// ID is a handle of the session: not the ticket, and no way to one.
	ID        string    `json:"id"`
	IssuedAt  time.Time `json:"issuedAt"`
	LastUsed  time.Time `json:"lastUsed"`
	ExpiresAt time.Time `json:"expiresAt"`
	// Current is true for the session of the User that asked.
	Current bool `json:"current"`
}

func sessionID(id TicketID) string { return hex.EncodeToString(id[:16]) }

func (m *Manager) user(u User) taro.SessionKeyID {
	id := u.id()
	if id.AppID == "" {
		id.AppID, _ = m.client.AppID(u.Platform)
	}
	return id
}

// Sessions lists the user's live sessions, oldest first: unexpired, not
// idle, and under OnePerUser only the current one, by the store's clock.
func (m *Manager) Sessions(ctx context.Context, u User) (out []SessionInfo, err error) {
	ctx, end := m.span(ctx, "login.sessions")
	defer func() { end(u.Platform, err) }()
	uid := m.user(u)
	ul, err := m.store.UserTickets(ctx, uid)
	if err != nil {
		return nil, storeError(ctx, u.Platform, "sessions", err)
	}
	now := ul.Now
	if now.IsZero() {
		now = m.now()
	}
	out = []SessionInfo{}
	if !ul.SessionFound {
		return out, nil
	}
	for _, t := range ul.Tickets {
		r := t.Ticket
		if !now.Before(r.ExpiresAt) || (m.idle > 0 && now.Sub(r.LastUsed) >= m.idle) || (ul.LoggedOutBefore > 0 && r.Seq <= ul.LoggedOutBefore) ||
			(m.policy == OnePerUser && r.Seq != ul.Session.Seq) {
			continue
		}
		out = append(out, SessionInfo{ID: sessionID(t.ID), IssuedAt: r.IssuedAt, LastUsed: r.LastUsed, ExpiresAt: r.ExpiresAt, Current: t.ID == u.ticket})
	}
	slices.SortFunc(out, func(a, b SessionInfo) int { return a.IssuedAt.Compare(b.IssuedAt) })
	return out, nil
}

// LogoutSession ends the user's session whose SessionInfo.ID is id; an id
// that is not one of the user's live sessions changes nothing.
func (m *Manager) LogoutSession(ctx context.Context, u User, id string) (err error) {
	ctx, end := m.span(ctx, "login.logout")
	defer func() { end(u.Platform, err) }()
	uid := m.user(u)
	ul, err := m.store.UserTickets(ctx, uid)
	if err != nil {
		return storeError(ctx, u.Platform, "logout", err)
	}
	for _, t := range ul.Tickets {
		if subtle.ConstantTimeCompare([]byte(sessionID(t.ID)), []byte(id)) == 1 {
			if err := m.store.DeleteTicket(ctx, t.ID, uid); err != nil {
				return storeError(ctx, u.Platform, "logout", err)
			}
		}
	}
	return nil
}

// LogoutAll ends every session of the user, on every replica sharing the
// store.
func (m *Manager) LogoutAll(ctx context.Context, u User) (err error) {
	ctx, end := m.span(ctx, "login.logout_all")
	defer func() { end(u.Platform, err) }()
	if err := m.store.DeleteUserTickets(ctx, m.user(u)); err != nil {
		return storeError(ctx, u.Platform, "logout", err)
	}
	return nil
}
