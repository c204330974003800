package monitor

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"
)

// ErrNoAnswer matches the error of a refresh that Options.AnswerTimeout
// cut short: no Graph call had answered for that long.
//
//lint:ignore ST1005 Graph is a name
var ErrNoAnswer = errors.New("Graph did not answer")

// NoAnswerError is the error of each store whose poll Options.AnswerTimeout
// cut short, and of the store listing when it was the call that hung.
type NoAnswerError struct{ After time.Duration }

func (e *NoAnswerError) Error() string {
	return fmt.Sprintf("no answer from Graph in %s", e.After.Round(time.Second))
}

func (e *NoAnswerError) Is(target error) bool { return target == ErrNoAnswer }

// answers records when the monitor's Graph calls last answered: the wall
// clock for the watchdog, Options.Now for LastAnswer.
type answers struct {
	wall atomic.Int64 // time.Now().UnixNano()
	at   atomic.Int64 // Options.Now().UnixNano()
}

// answered records an answer: a call that returned (whatever it said,
// unless it gave up waiting), or a listing's page being decoded.
func (m *Monitor) answered() {
	m.answers.wall.Store(time.Now().UnixNano())
	m.answers.at.Store(m.opts.Now().UnixNano())
}

// LastAnswer is when a Graph call of this monitor last answered (by
// Options.Now), zero before any. A caller can say how long Graph has been
// silent while a refresh runs.
func (m *Monitor) LastAnswer() time.Time {
	if n := m.answers.at.Load(); n != 0 {
		return time.Unix(0, n).In(m.opts.Now().Location())
	}
	return time.Time{}
}

// call runs one Graph call and records its answer. A call that ended
// because it waited too long (its own timeout, or the watchdog) is no
// answer: a hung Graph must not look alive by timing out.
func (m *Monitor) call(ctx context.Context, do func() error) error {
	err := do()
	if err == nil || (!errors.Is(err, context.DeadlineExceeded) && ctx.Err() == nil) {
		m.answered()
	}
	return err
}

// watch bounds a refresh by Options.AnswerTimeout: the context it returns
// is cancelled, with a *NoAnswerError as its cause, once no call has
// answered for that long. A listing whose pages keep coming is not cut,
// however long it takes; a hang is cut within the timeout. stop releases
// the watchdog.
func (m *Monitor) watch(ctx context.Context) (watched context.Context, stop func()) {
	d := m.opts.AnswerTimeout
	if d <= 0 {
		return ctx, func() {}
	}
	m.answers.wall.Store(time.Now().UnixNano()) // the refresh's start counts as its first answer
	ctx, cancel := context.WithCancelCause(ctx)
	var mu sync.Mutex
	var timer *time.Timer
	stopped := false
	check := func() {
		mu.Lock()
		defer mu.Unlock()
		if stopped {
			return
		}
		idle := time.Since(time.Unix(0, m.answers.wall.Load()))
		if idle >= d {
			cancel(&NoAnswerError{After: d})
			return
		}
		timer.Reset(d - idle)
	}
	mu.Lock()
	timer = time.AfterFunc(d, check)
	mu.Unlock()
	return ctx, func() {
		mu.Lock()
		stopped = true
		timer.Stop()
		mu.Unlock()
		cancel(nil)
	}
}

// noAnswer replaces the error of a call the watchdog cut ("cancelled")
// with the watchdog's reason.
func noAnswer(ctx context.Context, err error) error {
	if err == nil || ctx.Err() == nil {
		return err
	}
	if cause := context.Cause(ctx); errors.Is(cause, ErrNoAnswer) {
		return cause
	}
	return err
}
