package login

import (
	"context"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"

	"github.com/tarogo/adapter/taro"
)

// The login state's spans follow taro's attribute rules: the platform
// (one the client serves, or "unknown"), the outcome's code, never a
// secret, a ticket, an openid or a session key.

// span starts the span name of one of the manager's calls when the
// client's tracer provider collects; end records the call's code (and the
// platform, when known) and ends it.
func (m *Manager) span(ctx context.Context, name string) (context.Context, func(p taro.Platform, err error)) {
	tel := m.client.Telemetry()
	if !tel.Traces {
		return ctx, func(taro.Platform, error) {}
	}
	ctx, span := tel.TracerProvider.Tracer(instrumentation).Start(ctx, name)
	return ctx, func(p taro.Platform, err error) {
		code := taro.CodeOf(err)
		if p != "" {
			span.SetAttributes(attribute.String("taro.platform", m.label(p)))
		}
		span.SetAttributes(attribute.String("taro.code", code.String()))
		if err != nil {
			span.SetStatus(codes.Error, code.String())
		}
		span.End()
	}
}

// label is p as an attribute: p when the client serves it, "unknown"
// otherwise (a caller's name is never an attribute as sent).
func (m *Manager) label(p taro.Platform) string {
	if len(m.client.AppIDs(p)) == 0 {
		return "unknown"
	}
	return string(p)
}

// observedStore is the manager's Store with a child span for each ticket
// store operation (login.store.<operation>) under a recording span.
type observedStore struct {
	Store
	m *Manager
}

func (s observedStore) op(ctx context.Context, name string) (context.Context, func(error)) {
	if !trace.SpanFromContext(ctx).IsRecording() {
		return ctx, func(error) {}
	}
	ctx, span := s.m.client.Telemetry().TracerProvider.Tracer(instrumentation).Start(ctx, "login.store."+name)
	return ctx, func(err error) {
		outcome := "ok"
		if err != nil {
			outcome = "error"
			span.SetStatus(codes.Error, "store unavailable")
		}
		span.SetAttributes(attribute.String("taro.store.outcome", outcome))
		span.End()
	}
}

func (s observedStore) PutTicket(ctx context.Context, id TicketID, rec TicketRecord, keep int) error {
	ctx, done := s.op(ctx, "put_ticket")
	err := s.Store.PutTicket(ctx, id, rec, keep)
	done(err)
	return err
}

func (s observedStore) LookupTicket(ctx context.Context, id TicketID, user taro.SessionKeyID, q Query) (Lookup, error) {
	ctx, done := s.op(ctx, "lookup_ticket")
	l, err := s.Store.LookupTicket(ctx, id, user, q)
	done(err)
	return l, err
}

func (s observedStore) DeleteTicket(ctx context.Context, id TicketID, user taro.SessionKeyID) error {
	ctx, done := s.op(ctx, "delete_ticket")
	err := s.Store.DeleteTicket(ctx, id, user)
	done(err)
	return err
}

func (s observedStore) UserTickets(ctx context.Context, user taro.SessionKeyID) (UserLookup, error) {
	ctx, done := s.op(ctx, "user_tickets")
	ul, err := s.Store.UserTickets(ctx, user)
	done(err)
	return ul, err
}

func (s observedStore) DeleteUserTickets(ctx context.Context, user taro.SessionKeyID) error {
	ctx, done := s.op(ctx, "delete_user_tickets")
	err := s.Store.DeleteUserTickets(ctx, user)
	done(err)
	return err
}
