package whatsapp

import "sync"

// chatQueues runs the jobs of each chat one at a time, in the order they were added, while
// different chats run in parallel. A chat's goroutine exits when its queue is empty.
type chatQueues struct {
	maxPending int

	mu      sync.Mutex
	pending map[string][]func()
	running sync.WaitGroup
}

func newChatQueues(maxPending int) *chatQueues {
	return &chatQueues{maxPending: maxPending, pending: map[string][]func(){}}
}

// add queues job behind the chat's earlier jobs. It returns false, and drops the job, when the
// chat already has maxPending jobs waiting.
func (q *chatQueues) add(chat string, job func()) bool {
	q.mu.Lock()
	defer q.mu.Unlock()

	jobs, active := q.pending[chat]
	if len(jobs) >= q.maxPending {
		return false
	}
	q.pending[chat] = append(jobs, job)
	if !active {
		q.running.Add(1)
		go q.drain(chat)
	}
	return true
}

// drain runs the chat's jobs until none is left. The running job stays at the head of the
// slice, so the chat counts as active while it runs.
func (q *chatQueues) drain(chat string) {
	defer q.running.Done()
	for {
		q.mu.Lock()
		job := q.pending[chat][0]
		q.mu.Unlock()

		job()

		q.mu.Lock()
		rest := q.pending[chat][1:]
		if len(rest) == 0 {
			delete(q.pending, chat)
			q.mu.Unlock()
			return
		}
		q.pending[chat] = rest
		q.mu.Unlock()
	}
}

// wait blocks until every queued job has run.
func (q *chatQueues) wait() { q.running.Wait() }
