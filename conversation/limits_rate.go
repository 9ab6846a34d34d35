package conversation

import (
	"sync"
	"time"

	"golang.org/x/time/rate"

	"github.com/rechargebot/rechargebot/bot"
)

// rateIdle is how long a sender's bucket is kept after their last message. An idle bucket has
// refilled, so dropping it and starting a full one later changes nothing.
const rateIdle = 10 * time.Minute

// rateLimiter caps the messages of each sender with a token bucket of perMinute tokens,
// refilled evenly over a minute. It counts in this process only, so several instances behind
// a load balancer each allow the full rate.
type rateLimiter struct {
	perMinute int

	mu      sync.Mutex
	senders map[string]*senderRate
	// sweptAt is when idle buckets were last dropped.
	sweptAt time.Time
}

type senderRate struct {
	limiter *rate.Limiter
	seen    time.Time
	// warned is set once the sender got the limit message, until a message passes again, so
	// a flood gets one explanation and no reply to every message.
	warned bool
}

// newRateLimiter returns a limiter of perMinute messages; 0 or less allows every message.
func newRateLimiter(perMinute int) *rateLimiter {
	return &rateLimiter{perMinute: perMinute, senders: map[string]*senderRate{}}
}

// allow records one message of sender at now and reports whether it may be handled, and
// whether the sender should get the limit message.
func (r *rateLimiter) allow(sender string, now time.Time) (allowed, warn bool) {
	if r.perMinute <= 0 {
		return true, false
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.sweep(now)

	s, ok := r.senders[sender]
	if !ok {
		s = &senderRate{limiter: rate.NewLimiter(rate.Limit(float64(r.perMinute)/60), r.perMinute)}
		r.senders[sender] = s
	}
	s.seen = now
	if s.limiter.AllowN(now, 1) {
		s.warned = false
		return true, false
	}
	warn = !s.warned
	s.warned = true
	return false, warn
}

// sweep drops the buckets of senders idle for rateIdle. It scans at most once per rateIdle.
func (r *rateLimiter) sweep(now time.Time) {
	if now.Sub(r.sweptAt) < rateIdle {
		return
	}
	r.sweptAt = now
	for sender, s := range r.senders {
		if now.Sub(s.seen) >= rateIdle {
			delete(r.senders, sender)
		}
	}
}

// limitRate applies the message rate limit to in before anything is read or written for it.
// It reports true when the message must be dropped, with the reply to send: the explanation
// the first time, nothing while the sender keeps writing too fast.
func (e *Engine) limitRate(in bot.Inbound) ([]bot.Outbound, bool) {
	if e.isAdmin(in) {
		return nil, false
	}
	allowed, warn := e.ops.rate.allow(string(in.Chat.Channel)+":"+in.UserID, e.now())
	if allowed {
		return nil, false
	}
	if !warn {
		return nil, true
	}
	e.log.Info("Sender passed the message rate limit; dropping messages until it allows more", "chat", in.Chat.String())
	return []bot.Outbound{{Text: e.texts.render(msgRateLimited, vars{"PerMinute": e.cfg.Limits.MessagesPerMinute})}}, true
}

const msgRateLimited msgKey = "rate_limited"

func init() {
	addMessages("en", Catalog{
		msgRateLimited: "You are sending messages faster than I can take them (at most {{.PerMinute}} a minute), " +
			"so I skipped your last message. Wait a minute, then send it again.",
	})
}
