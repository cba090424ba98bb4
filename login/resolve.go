package login

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/metric"
	"go.opentelemetry.io/otel/trace"

	"github.com/tarogo/adapter/taro"
)

// The details of a refused ticket, in errMsg after "session invalid: ".
const (
	DetailNoTicket = "no ticket: send Authorization: Bearer <ticket>"
	// DetailManyAuthorization refuses a request with more than one
	// Authorization header (proxies disagree on which one counts).
	DetailManyAuthorization = "more than one Authorization header: send exactly one"
	DetailBadTicket         = "ticket not recognised"
	DetailUnknownTicket     = "ticket unknown, expired or logged out"
	DetailIdle              = "ticket unused for longer than the idle timeout"
)

func invalid(p taro.Platform, detail string, cause error) *taro.Error {
	return &taro.Error{Platform: p, API: APIAuth, Code: taro.CodeSessionInvalid, Detail: detail, Err: cause}
}

// Why a ticket was refused. A client is told none of this: every refused
// ticket, forged or genuine, gets one status, errMsg and detail
// (DetailBadTicket), so that a thief holding a victim's old ticket learns
// nothing (not even that the victim logged in again). Server code can
// test the reason with errors.Is on the error Resolve returns, and
// Config.Logger records it at debug level, for an app that chooses to
// tell its user, say, "you logged in elsewhere".
var (
	// ErrTicketForged: malformed, forged, or sealed with a key this
	// server does not hold.
	ErrTicketForged = errors.New("login: the ticket is malformed, forged or sealed with a key this server does not hold")
	// ErrTicketOtherApp: issued for a platform or app this client does
	// not serve.
	ErrTicketOtherApp = errors.New("login: the ticket was issued for a platform or app id this client does not serve")
	// ErrTicketUnknown: not in the store: expired, logged out, evicted or
	// never issued there.
	ErrTicketUnknown = errors.New("login: the ticket is unknown to the store, expired or logged out")
	// ErrTicketIdle: unused for longer than Config.IdleTimeout.
	ErrTicketIdle = errors.New("login: the ticket was unused for longer than the idle timeout")
	// ErrTicketSuperseded: a newer login of the user ended it (OnePerUser).
	ErrTicketSuperseded = errors.New("login: the ticket was superseded by a newer login")
	// ErrTicketTooOld: its login is older than taro.Config.MaxSessionAge.
	ErrTicketTooOld = errors.New("login: the ticket's login is older than the maximum session age")
	// ErrTicketLoggedOutAll: its login was recorded before a LogoutAll
	// of the user.
	ErrTicketLoggedOutAll = errors.New("login: the ticket's login came before a LogoutAll")
	// ErrTicketNoSession: the user's session record is gone (evicted or
	// deleted): fail closed.
	ErrTicketNoSession = errors.New("login: no login is recorded for the ticket's user")
	// ErrTicketPlatform: the platform said the session is no longer
	// valid (the platform's error is in the chain too).
	ErrTicketPlatform = errors.New("login: the platform refused the ticket's session")
)

// refused is the one answer to every refused ticket: the reason is in the
// Go chain only.
type refusal struct {
	reason error
	cause  error
}

func (r *refusal) Error() string {
	if r.cause != nil {
		return r.reason.Error() + ": " + r.cause.Error()
	}
	return r.reason.Error()
}

func (r *refusal) Unwrap() []error {
	if r.cause != nil {
		return []error{r.reason, r.cause}
	}
	return []error{r.reason}
}

// refuse is the uniform error of a refused ticket with its reason.
func refuse(reason, cause error) *taro.Error {
	return &taro.Error{API: APIAuth, Code: taro.CodeSessionInvalid, Detail: DetailBadTicket, Err: &refusal{reason: reason, cause: cause}}
}

// Resolve checks a ticket and returns its user: the store's verdict on
// every call, by the store's clock (the ticket's TTL, the idle timeout,
// the login order, taro.Config.MaxSessionAge), the platform's own check at
// most once per CheckInterval. A ticket is valid only with the platform
// and app id that issued it. A ticket that is malformed, forged, unknown,
// expired, idle, logged out, superseded or another app's is
// taro.ErrSessionInvalid; a store or platform outage is
// taro.ErrUnavailable (or DeadlineExceeded), never a verdict. For servers
// other than net/http (a gRPC interceptor is a few lines; see the Example).
func (m *Manager) Resolve(ctx context.Context, ticket string) (User, error) {
	u, err := m.resolve(ctx, ticket)
	if err != nil {
		return User{}, err
	}
	return u, nil
}

// resolve is resolveTicket, observed: a span "login.resolve" and the
// counter login.requests, both with the verdict (the result's code).
func (m *Manager) resolve(ctx context.Context, ticket string) (User, *taro.Error) {
	tel := m.client.Telemetry()
	traces, metrics := tel.Traces, tel.Metrics
	var span trace.Span
	if traces {
		ctx, span = tel.TracerProvider.Tracer(instrumentation).Start(ctx, "login.resolve")
	}
	u, err := m.resolveTicket(ctx, ticket)
	if err != nil && m.log != nil && err.Code == taro.CodeSessionInvalid {
		m.log.LogAttrs(ctx, slog.LevelDebug, "login: ticket refused", slog.String("reason", reasonText(err)))
	}
	verdict := taro.CodeOK
	if err != nil {
		verdict = err.Code
	}
	if span != nil {
		span.SetAttributes(attribute.String("login.verdict", verdict.String()), attribute.String("taro.platform", string(u.Platform)))
		if err != nil {
			span.SetStatus(codes.Error, verdict.String())
		}
		span.End()
	}
	if metrics {
		m.requests().Add(ctx, 1, metric.WithAttributes(attribute.String("login.verdict", verdict.String())))
	}
	return u, err
}

// reasonText is the reason of a refusal, for the debug log: never the
// ticket.
func reasonText(err *taro.Error) string {
	var r *refusal
	if errors.As(err, &r) {
		return r.reason.Error()
	}
	return err.Reason()
}

// instrumentation names login's tracer and meter.
const instrumentation = "github.com/tarogo/adapter/login"

// requests is the counter login.requests of the client's meter provider.
func (m *Manager) requests() metric.Int64Counter {
	mp := m.client.Telemetry().MeterProvider
	if c := m.counter.Load(); c != nil && c.mp == mp {
		return c.c
	}
	c, _ := mp.Meter(instrumentation).Int64Counter("login.requests", metric.WithDescription("Requests with a ticket, by verdict."))
	m.counter.Store(&counterFor{mp, c})
	return c
}

type counterFor struct {
	mp metric.MeterProvider
	c  metric.Int64Counter
}

func (m *Manager) resolveTicket(ctx context.Context, ticket string) (User, *taro.Error) {
	if ticket == "" {
		return User{}, invalid("", DetailNoTicket, nil)
	}
	id, uid, err := m.parse(ticket)
	if err != nil {
		return User{}, refuse(ErrTicketForged, nil)
	}
	p := uid.Platform
	app, aerr := m.client.App(ctx, p, uid.AppID)
	switch c := taro.CodeOf(aerr); {
	case aerr != nil && (c == taro.CodeUnavailable || c == taro.CodeDeadlineExceeded || c == taro.CodeCanceled):
		// The app source (taro.Config.Apps) could not answer: an outage,
		// never a verdict on the ticket.
		var te *taro.Error
		if !errors.As(aerr, &te) {
			te = &taro.Error{Platform: p, API: APIAuth, Code: c, Err: aerr}
		}
		return User{}, te
	case aerr != nil || app.AppID() != uid.AppID:
		return User{}, refuse(ErrTicketOtherApp, nil)
	}
	// The user's newest ticket: under PerDevice its key is the one to
	// judge; under OnePerUser it tells a superseded ticket, which the
	// store no longer holds, from an unknown one.
	q := Query{Newest: true}
	if m.idle > 0 {
		q.TouchAfter, q.Idle = max(m.idle/10, time.Millisecond), m.idle
	}
	l, err := m.store.LookupTicket(ctx, id, uid, q)
	if err != nil {
		return User{}, storeError(ctx, p, APIAuth, err)
	}
	sessKey, judgeKey, now, again, verr := m.storeVerdict(app, id, uid, l)
	if again {
		// A refusal read from a cache (which may lag another replica's
		// write by milliseconds) is read again past it.
		q.Fresh = true
		if l, err = m.store.LookupTicket(ctx, id, uid, q); err != nil {
			return User{}, storeError(ctx, p, APIAuth, err)
		}
		sessKey, judgeKey, now, _, verr = m.storeVerdict(app, id, uid, l)
	}
	if verr != nil {
		return User{}, verr
	}
	s := taro.Session{OpenID: uid.OpenID, SessionKey: sessKey, TenantID: uid.TenantID}
	if judgeKey != "" && app.ChecksOnPlatform() && m.due(id, now) {
		// The store's verdict is given: the platform alone is asked, with
		// no second store read and no second verdict.
		if err := app.CheckOnPlatform(ctx, s); err != nil {
			var te *taro.Error
			if !errors.As(err, &te) {
				te = &taro.Error{Platform: p, API: APIAuth, Code: taro.CodeOf(err), Err: err}
			}
			if te.Code == taro.CodeSessionInvalid {
				// The platform says the newest key is gone: every ticket
				// of the user ends.
				_ = m.store.DeleteUserTickets(ctx, uid)
				return User{}, refuse(ErrTicketPlatform, te)
			}
			return User{}, te
		}
		m.markChecked(id, now)
	}
	return User{Platform: p, AppID: uid.AppID, OpenID: uid.OpenID, TenantID: uid.TenantID, UnionID: l.Ticket.UnionID, ExpiresAt: l.Ticket.ExpiresAt, session: s, ticket: id}, nil
}

// storeVerdict gathers a ticket's facts from its lookup l (the ticket's
// record, the user's newest login and tickets, the sealed key) for
// taro.App.Verdict, the one judge of a session's state, and returns the
// session key to use, the key the verdict judged ("" when only the
// record's presence and age were judged), the store's clock, and the
// verdict.
func (m *Manager) storeVerdict(app *taro.App, id TicketID, uid taro.SessionKeyID, l Lookup) (string, string, time.Time, bool, *taro.Error) {
	now := l.Now
	if now.IsZero() {
		now = m.now()
	}
	f := taro.SessionFacts{Record: l.Session, Found: l.SessionFound, Now: now, Cached: l.Cached,
		NewestOnly: m.policy == OnePerUser, Seq: l.Ticket.Seq, Idle: m.idle, LastUsed: l.Ticket.LastUsed}
	switch {
	case !l.Found && m.policy == OnePerUser && l.NewestFound && now.Before(l.Newest.Ticket.ExpiresAt):
		f.Replaced = true
	case !l.Found || !now.Before(l.Ticket.ExpiresAt) || l.Ticket.User != uid:
		f.Gone = true
	default:
		f.Revoked = l.LoggedOutBefore > 0 && l.Ticket.Seq <= l.LoggedOutBefore
	}
	var sessKey string
	if !f.Gone && !f.Replaced {
		key, ok := m.unseal(id, uid, l.Ticket.SealedKey)
		if !ok {
			return "", "", now, false, refuse(ErrTicketForged, errors.New("the sealed session key does not open with the configured keys"))
		}
		sessKey = key
		seq := l.Ticket.Seq
		if m.policy == PerDevice && l.NewestFound && l.Newest.Ticket.Seq > seq {
			if k, ok := m.unseal(l.Newest.ID, uid, l.Newest.Ticket.SealedKey); ok {
				sessKey, seq = k, l.Newest.Ticket.Seq
			}
		}
		// The newest key is known when its login's ticket is stored;
		// between a newer login's record and its ticket (or after a
		// reset) only the record's presence and age are judged.
		if l.SessionFound && seq == l.Session.Seq {
			f.Key = sessKey
		}
	}
	if again, err := app.Verdict(APIAuth, f); err != nil {
		var te *taro.Error
		if !errors.As(err, &te) {
			te = &taro.Error{API: APIAuth, Code: taro.CodeOf(err), Err: err}
		}
		return "", "", now, again, refusalOf(te)
	}
	return sessKey, f.Key, now, false, nil
}

// refusalOf is the uniform refusal of a ticket for the verdict err, with
// the reason server code tests (errors.Is) and logs.
func refusalOf(err *taro.Error) *taro.Error {
	if err.Code != taro.CodeSessionInvalid {
		return err
	}
	reason := map[string]error{taro.DetailGone: ErrTicketUnknown, taro.DetailIdle: ErrTicketIdle, taro.DetailNeverSeen: ErrTicketNoSession,
		taro.DetailRevoked: ErrTicketLoggedOutAll, taro.DetailSuperseded: ErrTicketSuperseded, taro.DetailTooOld: ErrTicketTooOld}[err.Detail]
	if reason == nil {
		return refuse(ErrTicketUnknown, err)
	}
	return refuse(reason, nil)
}

// due reports whether the platform should check the ticket's session now.
func (m *Manager) due(id TicketID, now time.Time) bool {
	if m.interval < 0 {
		return true
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	at, ok := m.checked[id]
	return !ok || now.Sub(at) >= m.interval || now.Before(at)
}

// maxChecked bounds the per-ticket check times a replica remembers.
const maxChecked = 100_000

func (m *Manager) markChecked(id TicketID, now time.Time) {
	if m.interval < 0 {
		return
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if len(m.checked) >= maxChecked {
		for k, at := range m.checked {
			if now.Sub(at) >= m.interval {
				delete(m.checked, k)
			}
		}
		if len(m.checked) >= maxChecked {
			clear(m.checked) // all recent: forget them; the next requests check again
		}
	}
	m.checked[id] = now
}
