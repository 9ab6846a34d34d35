package conversation

import (
	"context"
	"sync"
)

// chatQueue lets the messages of one chat wait for each other inside the process before they
// take one of the engine's handling slots, so a user who sends many messages at once holds
// one slot, not many.
type chatQueue struct {
	mu    sync.Mutex
	chats map[string]*queuedChat
}

type queuedChat struct {
	turn    chan struct{} // holds one token while a message of the chat is handled
	waiters int
}

// wait blocks until no other message of key is being handled in this process, or ctx ends.
// done must be called once when the message is finished.
func (q *chatQueue) wait(ctx context.Context, key string) (done func(), err error) {
	q.mu.Lock()
	if q.chats == nil {
		q.chats = map[string]*queuedChat{}
	}
	c, ok := q.chats[key]
	if !ok {
		c = &queuedChat{turn: make(chan struct{}, 1)}
		q.chats[key] = c
	}
	c.waiters++
	q.mu.Unlock()

	release := func() {
		q.mu.Lock()
		c.waiters--
		if c.waiters == 0 {
			delete(q.chats, key)
		}
		q.mu.Unlock()
	}

	select {
	case c.turn <- struct{}{}:
		return func() {
			<-c.turn
			release()
		}, nil
	case <-ctx.Done():
		release()
		return nil, ctx.Err()
	}
}
