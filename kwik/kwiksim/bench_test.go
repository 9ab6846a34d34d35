package kwiksim_test

import (
	"fmt"
	"sync/atomic"
	"testing"

	"github.com/rechargebot/rechargebot/kwik"
	"github.com/rechargebot/rechargebot/kwik/kwiksim"
)

// BenchmarkRecharge measures one recharge through the client and the simulator over loopback HTTP.
func BenchmarkRecharge(b *testing.B) {
	sim := kwiksim.New(kwiksim.Options{BalancePaise: 1 << 50})
	srv := newServer(b, sim)
	c, err := kwik.New(srv, sim.APIKey())
	if err != nil {
		b.Fatal(err)
	}
	var next atomic.Int64
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			id := fmt.Sprint(next.Add(1))
			if _, err := c.Recharge(b.Context(), rechargeOf(id, "9876543210", "1", 1000)); err != nil {
				b.Error(err)
			}
		}
	})
}

// BenchmarkPlans measures fetching and decoding one operator's plan list (about 100 plans).
func BenchmarkPlans(b *testing.B) {
	sim := kwiksim.New(kwiksim.Options{})
	c, err := kwik.New(newServer(b, sim), sim.APIKey())
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, err := c.Plans(b.Context(), "1", "1"); err != nil {
			b.Fatal(err)
		}
	}
}
