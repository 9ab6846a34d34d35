package main

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/rechargebot/rechargebot/bot"
	"github.com/rechargebot/rechargebot/kwik"
	"github.com/rechargebot/rechargebot/models"
)

// orderWindow is the span of the orders gauge: orders placed in the last day, by status.
const orderWindow = 24 * time.Hour

// orderScrapeTimeout bounds the database query of one scrape.
const orderScrapeTimeout = 5 * time.Second

// orderStatuses are every order status, so the gauge reports zeros instead of missing series.
var orderStatuses = []models.OrderStatus{
	models.StatusSending, models.StatusSuccess, models.StatusFailure, models.StatusPending,
	models.StatusUnknown, models.StatusStuck, models.StatusRefunded,
}

// orderCounter counts orders by status. *models.Store implements it.
type orderCounter interface {
	OrderStats(ctx context.Context, since time.Time) (models.OrderStats, error)
}

// metrics holds the service's Prometheus collectors, on a registry of its own so tests can
// create several.
type metrics struct {
	registry    *prometheus.Registry
	received    *prometheus.CounterVec
	sent        *prometheus.CounterVec
	kwikCalls   *prometheus.CounterVec
	kwikLatency *prometheus.HistogramVec
	errors      *prometheus.CounterVec
}

// newMetrics registers the collectors. orders may be nil, which leaves out the orders gauge.
func newMetrics(orders orderCounter, now func() time.Time, logger *slog.Logger) *metrics {
	m := &metrics{
		registry: prometheus.NewRegistry(),
		received: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "rechargebot_messages_received_total",
			Help: "Chat updates received, by channel and kind (text, button, document, group, duplicate, ...).",
		}, []string{"channel", "kind"}),
		sent: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "rechargebot_messages_sent_total",
			Help: "Chat API calls that send or edit a message, by channel, method and result (ok or error).",
		}, []string{"channel", "method", "result"}),
		kwikCalls: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "rechargebot_kwikapi_calls_total",
			Help: "KwikAPI HTTP calls, by endpoint and result (ok or the error kind).",
		}, []string{"endpoint", "result"}),
		kwikLatency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "rechargebot_kwikapi_call_duration_seconds",
			Help:    "Duration of KwikAPI HTTP calls, by endpoint.",
			Buckets: []float64{0.1, 0.25, 0.5, 1, 2, 5, 10, 20, 30, 60},
		}, []string{"endpoint"}),
		errors: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "rechargebot_errors_total",
			Help: "Errors caught and logged, by component (conversation, scheduler, metrics).",
		}, []string{"component"}),
	}
	m.registry.MustRegister(m.received, m.sent, m.kwikCalls, m.kwikLatency, m.errors,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	if orders != nil {
		m.registry.MustRegister(&ordersCollector{orders: orders, now: now, log: logger, errors: m.errors})
	}
	return m
}

// handler serves the metrics in the Prometheus text format.
func (m *metrics) handler() http.Handler {
	return promhttp.HandlerFor(m.registry, promhttp.HandlerOpts{})
}

// observeKwik records one KwikAPI call. Its signature fits kwik.WithObserver.
func (m *metrics) observeKwik(ep kwik.Endpoint, took time.Duration, err error) {
	m.kwikCalls.WithLabelValues(string(ep), kwikResult(err)).Inc()
	m.kwikLatency.WithLabelValues(string(ep)).Observe(took.Seconds())
}

// kwikResult names the kind of a KwikAPI error with a small fixed set of labels.
func kwikResult(err error) string {
	kinds := []struct {
		err  error
		name string
	}{
		{kwik.ErrDuplicateOrderID, "duplicate_order_id"},
		{kwik.ErrUnknownOutcome, "unknown_outcome"},
		{kwik.ErrAuth, "auth"},
		{kwik.ErrRateLimited, "rate_limited"},
		{kwik.ErrInsufficientBalance, "insufficient_balance"},
		{kwik.ErrInvalidParams, "invalid_params"},
		{kwik.ErrOperatorUnavailable, "operator_unavailable"},
		{kwik.ErrOrderNotFound, "order_not_found"},
		{kwik.ErrBadResponse, "bad_response"},
		{models.ErrBudgetExhausted, "budget_exhausted"},
		{context.DeadlineExceeded, "timeout"},
	}
	if err == nil {
		return "ok"
	}
	for _, k := range kinds {
		if errors.Is(err, k.err) {
			return k.name
		}
	}
	return "error"
}

// receivedOn returns a counter of updates on channel, for an adapter's Received hook.
func (m *metrics) receivedOn(channel bot.Channel) func(kind string) {
	return func(kind string) { m.received.WithLabelValues(string(channel), kind).Inc() }
}

// sentOn returns a counter of send calls on channel, for an adapter's Sent hook.
func (m *metrics) sentOn(channel bot.Channel) func(method string, err error) {
	return func(method string, err error) {
		result := "ok"
		if err != nil {
			result = "error"
		}
		m.sent.WithLabelValues(string(channel), method, result).Inc()
	}
}

// countError counts one error of component.
func (m *metrics) countError(component string) {
	m.errors.WithLabelValues(component).Inc()
}

// countingHandler counts the errors the conversation engine returns.
func (m *metrics) countingHandler(next bot.Handler) bot.Handler {
	return bot.HandlerFunc(func(ctx context.Context, in bot.Inbound) ([]bot.Outbound, error) {
		outs, err := next.Handle(ctx, in)
		if err != nil {
			m.countError("conversation")
		}
		return outs, err
	})
}

// ordersCollector reports the orders of the last day by status, read from the database at each
// scrape.
type ordersCollector struct {
	orders orderCounter
	now    func() time.Time
	log    *slog.Logger
	errors *prometheus.CounterVec
}

var ordersDesc = prometheus.NewDesc("rechargebot_orders",
	"Orders placed in the last 24 hours, by current status.", []string{"status"}, nil)

func (c *ordersCollector) Describe(ch chan<- *prometheus.Desc) { ch <- ordersDesc }

func (c *ordersCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), orderScrapeTimeout)
	defer cancel()

	stats, err := c.orders.OrderStats(ctx, c.now().Add(-orderWindow))
	if err != nil {
		c.log.Warn("Count orders for metrics failed", "error", err)
		c.errors.WithLabelValues("metrics").Inc()
		return
	}
	for _, status := range orderStatuses {
		ch <- prometheus.MustNewConstMetric(ordersDesc, prometheus.GaugeValue, float64(stats.ByStatus[status]), string(status))
	}
}
