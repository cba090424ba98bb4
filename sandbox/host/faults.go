package host

import (
	"fmt"
	"slices"
	"time"

	"github.com/tarogo/adapter/sandbox/fake"
	"github.com/tarogo/adapter/taro"
)

// Inject makes the next n requests to p's endpoint ep fail with kind. A
// TokenInvalid fault applies only to endpoints that take an access token.
func (s *Sandbox) Inject(p taro.Platform, ep Endpoint, kind FaultKind, n int) error {
	return s.inject(p, ep, fault{kind: kind}, n)
}

// InjectApp is Inject for the requests of p's app appID only.
func (s *Sandbox) InjectApp(p taro.Platform, appID string, ep Endpoint, kind FaultKind, n int) error {
	if appID == "" {
		return fmt.Errorf("sandbox: appID is required")
	}
	return s.inject(p, ep, fault{kind: kind, app: appID}, n)
}

// InjectDelay makes the next n requests to p's endpoint ep answer after d.
func (s *Sandbox) InjectDelay(p taro.Platform, ep Endpoint, d time.Duration, n int) error {
	return s.inject(p, ep, fault{kind: fake.Slow, delay: d}, n)
}

func (s *Sandbox) inject(p taro.Platform, ep Endpoint, f fault, n int) error {
	if n < 1 || n > MaxFaultsPerCall {
		return fmt.Errorf("sandbox: fault count must be 1 to %d", MaxFaultsPerCall)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	st, err := s.faultable(p, ep, f.kind)
	if err != nil {
		return err
	}
	if _, ok := st.apps[f.app]; f.app != "" && !ok {
		return fmt.Errorf("sandbox: %s serves no app %q", p, f.app)
	}
	pending := 0
	for _, q := range st.faults {
		pending += len(q)
	}
	if pending+n > MaxPendingFaults {
		return fmt.Errorf("sandbox: at most %d faults may be pending per platform (%s has %d)", MaxPendingFaults, p, pending)
	}
	for range n {
		st.faults[ep] = append(st.faults[ep], f)
	}
	return nil
}

// InjectEvery makes every n-th request to p's endpoint ep (the n-th, the
// 2n-th, ...) fail with kind until ClearFaults: a deterministic fault rate
// of 1/n for load tests.
func (s *Sandbox) InjectEvery(p taro.Platform, ep Endpoint, kind FaultKind, n int) error {
	if n < 2 {
		return fmt.Errorf("sandbox: InjectEvery needs n ≥ 2")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	st, err := s.faultable(p, ep, kind)
	if err != nil {
		return err
	}
	st.every[ep] = periodic{kind: kind, n: n}
	return nil
}

// faultable returns p's state if kind can be injected on ep. s.mu is held.
func (s *Sandbox) faultable(p taro.Platform, ep Endpoint, kind FaultKind) (*platform, error) {
	if !slices.Contains(fake.FaultKinds(), kind) && !slices.Contains(fake.Probes(), kind) {
		return nil, fmt.Errorf("sandbox: unknown fault %q (have %v)", kind, fake.FaultKinds())
	}
	st, err := s.platform(p)
	if err != nil {
		return nil, err
	}
	if !slices.Contains(st.fake.Endpoints(), ep) {
		return nil, fmt.Errorf("sandbox: %s has no %s endpoint", p, ep)
	}
	if kind == fake.NoMarker {
		if md, ok := st.fake.(fake.MarkerDeclarer); !ok || md.SuccessMarker(ep) == "" {
			return nil, fmt.Errorf("sandbox: %s declares no success marker for %s", p, ep)
		}
	}
	if kind == fake.TokenInvalid && !slices.Contains(st.fake.TokenEndpoints(), ep) {
		return nil, fmt.Errorf("sandbox: %s %s takes no access token", p, ep)
	}
	return st, nil
}

// PendingFaults lists the faults waiting, by platform and endpoint, in
// the order they will answer (periodic ones as "<kind> every <n>").
func (s *Sandbox) PendingFaults() map[taro.Platform]map[Endpoint][]string {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := map[taro.Platform]map[Endpoint][]string{}
	for name, st := range s.ps {
		for ep, q := range st.faults {
			for _, f := range q {
				if out[name] == nil {
					out[name] = map[Endpoint][]string{}
				}
				out[name][ep] = append(out[name][ep], string(f.kind))
			}
		}
		for ep, pf := range st.every {
			if out[name] == nil {
				out[name] = map[Endpoint][]string{}
			}
			out[name][ep] = append(out[name][ep], fmt.Sprintf("%s every %d", pf.kind, pf.n))
		}
	}
	return out
}

// ClearFaults removes every pending fault.
func (s *Sandbox) ClearFaults() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, st := range s.ps {
		clear(st.faults)
		clear(st.every)
	}
}

// Requests returns how many requests p's endpoint ep has received.
func (s *Sandbox) Requests(p taro.Platform, ep Endpoint) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	if st, ok := s.ps[p]; ok {
		return st.counts[ep]
	}
	return 0
}

// ResetCounters sets every request counter to zero.
func (s *Sandbox) ResetCounters() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, st := range s.ps {
		clear(st.counts)
	}
}

// enter counts a request to app's ep and returns the fault to apply, if
// any: the first pending one for any app or for this one.
func (s *Sandbox) enter(p taro.Platform, app string, ep Endpoint) (fault, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.ps[p]
	st.counts[ep]++
	if pf, ok := st.every[ep]; ok && st.counts[ep]%pf.n == 0 {
		return fault{kind: pf.kind}, true
	}
	q := st.faults[ep]
	for i, f := range q {
		if f.app == "" || f.app == app {
			if i == 0 {
				st.faults[ep] = q[1:]
			} else {
				st.faults[ep] = slices.Delete(q, i, i+1)
			}
			return f, true
		}
	}
	return fault{}, false
}
