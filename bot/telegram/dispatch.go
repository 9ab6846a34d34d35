package telegram

import (
	"context"
	"sync"
	"time"

	"github.com/go-telegram/bot/models"
)

// Limits of the dispatcher's memory.
const (
	// maxQueuedPerChat is how many updates of one chat may wait. More are dropped, because a
	// person does not type that fast and a flood should not grow memory without bound.
	maxQueuedPerChat = 64
	// rememberedUpdates is how many recent update ids are kept to recognise a repeated delivery.
	rememberedUpdates = 4096
	// cancelGrace is how long drain waits for handlers to return after cancelling them.
	cancelGrace = 5 * time.Second
)

// submitResult is the dispatcher's decision on one update.
type submitResult int

const (
	submitQueued submitResult = iota
	submitDuplicate
	submitQueueFull
	submitClosed
)

// dispatcher runs updates of one chat one at a time in arrival order, different chats in
// parallel (at most maxConcurrent at once), and drops an update id it has already seen.
type dispatcher struct {
	process func(ctx context.Context, u *models.Update)
	slots   chan struct{}
	ctx     context.Context
	cancel  context.CancelFunc
	workers sync.WaitGroup

	mu     sync.Mutex
	queues map[int64]*chatQueue
	seen   *recentIDs
	closed bool
}

type chatQueue struct {
	pending []*models.Update
	current int64 // the update id being handled, 0 when none
	// done is closed when the current update is finished.
	done chan struct{}
}

func newDispatcher(maxConcurrent int, process func(ctx context.Context, u *models.Update)) *dispatcher {
	ctx, cancel := context.WithCancel(context.Background())
	return &dispatcher{
		process: process,
		slots:   make(chan struct{}, maxConcurrent),
		ctx:     ctx,
		cancel:  cancel,
		queues:  map[int64]*chatQueue{},
		seen:    newRecentIDs(rememberedUpdates),
	}
}

// submit queues u behind the earlier updates of its chat.
func (d *dispatcher) submit(u *models.Update) submitResult {
	d.mu.Lock()
	defer d.mu.Unlock()

	if d.closed {
		return submitClosed
	}
	if !d.seen.add(u.ID) {
		return submitDuplicate
	}

	key := chatKey(u)
	q, ok := d.queues[key]
	if !ok {
		q = &chatQueue{}
		d.queues[key] = q
		d.workers.Add(1)
		go d.work(key, q)
	}
	if len(q.pending) >= maxQueuedPerChat {
		return submitQueueFull
	}
	q.pending = append(q.pending, u)
	return submitQueued
}

// work handles the queue of one chat until it is empty or the dispatcher is cancelled.
func (d *dispatcher) work(key int64, q *chatQueue) {
	defer d.workers.Done()
	for {
		u := d.next(key, q)
		if u == nil {
			return
		}

		select {
		case d.slots <- struct{}{}:
		case <-d.ctx.Done():
			// u stays recorded as current, so it counts as unfinished.
			return
		}
		d.process(d.ctx, u)
		<-d.slots
		if d.ctx.Err() != nil {
			// Cancelled while handling: u stays current, so it counts as unfinished and
			// Telegram delivers it again after a restart.
			return
		}
		d.finish(q)
	}
}

// next takes the first waiting update of q. It returns nil, removing q, when none is left, and
// returns nil, keeping q, when the dispatcher was cancelled: updates left behind then stay in the
// map, so oldestUnfinished still counts them.
func (d *dispatcher) next(key int64, q *chatQueue) *models.Update {
	d.mu.Lock()
	defer d.mu.Unlock()

	if d.ctx.Err() != nil {
		return nil
	}
	if len(q.pending) == 0 {
		delete(d.queues, key)
		return nil
	}
	u := q.pending[0]
	q.pending[0] = nil
	q.pending = q.pending[1:]
	q.current = u.ID
	q.done = make(chan struct{})
	return u
}

func (d *dispatcher) finish(q *chatQueue) {
	d.mu.Lock()
	defer d.mu.Unlock()
	q.current = 0
	close(q.done)
}

// waitIdle waits until the update being handled in chat, if any, is finished, or until ctx
// ends or timeout passes. It reports whether the chat became idle.
func (d *dispatcher) waitIdle(ctx context.Context, chat int64, timeout time.Duration) bool {
	d.mu.Lock()
	q, ok := d.queues[chat]
	if !ok || q.current == 0 {
		d.mu.Unlock()
		return true
	}
	done := q.done
	d.mu.Unlock()

	timer := time.NewTimer(timeout)
	defer timer.Stop()
	select {
	case <-done:
		return true
	case <-ctx.Done():
		return false
	case <-timer.C:
		return false
	}
}

// drain refuses new updates and waits up to timeout for the queued ones to be handled. Past
// the timeout it cancels the handlers' context and waits briefly for them to return. It reports
// whether every queued update was handled.
func (d *dispatcher) drain(timeout time.Duration) bool {
	d.mu.Lock()
	d.closed = true
	d.mu.Unlock()

	done := make(chan struct{})
	go func() {
		d.workers.Wait()
		close(done)
	}()

	timer := time.NewTimer(timeout)
	defer timer.Stop()
	select {
	case <-done:
		d.cancel()
		return true
	case <-timer.C:
	}

	d.cancel()
	grace := time.NewTimer(cancelGrace)
	defer grace.Stop()
	select {
	case <-done:
	case <-grace.C:
	}
	return false
}

// oldestUnfinished returns the smallest update id that is queued or being handled, or 0.
func (d *dispatcher) oldestUnfinished() int64 {
	d.mu.Lock()
	defer d.mu.Unlock()

	var oldest int64
	consider := func(id int64) {
		if id != 0 && (oldest == 0 || id < oldest) {
			oldest = id
		}
	}
	for _, q := range d.queues {
		consider(q.current)
		for _, u := range q.pending {
			consider(u.ID)
		}
	}
	return oldest
}

// chatKey returns the chat an update belongs to; in a private chat it equals the user's id.
func chatKey(u *models.Update) int64 {
	switch {
	case u.Message != nil:
		return u.Message.Chat.ID
	case u.CallbackQuery != nil:
		if m := u.CallbackQuery.Message.Message; m != nil {
			return m.Chat.ID
		}
		if m := u.CallbackQuery.Message.InaccessibleMessage; m != nil && m.Chat.ID != 0 {
			return m.Chat.ID
		}
		return u.CallbackQuery.From.ID
	default:
		return 0
	}
}

// recentIDs remembers the last n ids added, in a ring, so memory stays bounded.
type recentIDs struct {
	ring []int64
	next int
	set  map[int64]struct{}
}

func newRecentIDs(n int) *recentIDs {
	return &recentIDs{ring: make([]int64, 0, n), set: make(map[int64]struct{}, n)}
}

// add records id and reports whether it was new.
func (r *recentIDs) add(id int64) bool {
	if _, ok := r.set[id]; ok {
		return false
	}
	if len(r.ring) < cap(r.ring) {
		r.ring = append(r.ring, id)
	} else {
		delete(r.set, r.ring[r.next])
		r.ring[r.next] = id
		r.next = (r.next + 1) % len(r.ring)
	}
	r.set[id] = struct{}{}
	return true
}
