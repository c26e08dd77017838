package labs

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/ovskit/ovskit/ovn/nb"
	"github.com/ovskit/ovskit/ovsdb"
	"github.com/ovskit/ovskit/sim"
)

// ScaleConfig sizes an OVN scale run.
type ScaleConfig struct {
	// Chassis (1 to 200) and Guests per chassis (1 to 250).
	Chassis, Guests int
	// Pairs is how many cross-chassis pairs of guests ping each other.
	Pairs int
	// Idle is how long the idle CPU is measured over (5 s if zero).
	Idle time.Duration
	// Prefix names the world (sim.Config.Prefix).
	Prefix string
	// Logger receives what the world does (nil: nothing).
	Logger *slog.Logger
}

// ScaleResult is what a scale run measured.
type ScaleResult struct {
	Chassis, Guests int
	// Registered is the time from the first chassis's start until every
	// chassis was registered in the Southbound database (they start in
	// parallel).
	Registered time.Duration
	// PortsUp is the time from plugging the guests until every port was
	// up and every chassis had applied the configuration (--wait=hv).
	PortsUp time.Duration
	// Pairs pinged and Reached of them.
	Pairs, Reached int
	// RSS is the resident memory of a chassis's three daemons, averaged
	// over the chassis; IdleCPU their CPU per chassis, as a fraction of
	// one core, while nothing happens.
	RSS     int64
	IdleCPU float64
	// Teardown is the time to tear the whole world down.
	Teardown time.Duration
}

// WriteTo prints the result.
func (r *ScaleResult) WriteTo(w io.Writer) (int64, error) {
	n, err := fmt.Fprintf(w, "chassis %d, guests %d\n  all chassis registered  %v\n  all ports up (wait=hv)  %v\n  pairs reached           %d of %d\n  RSS per chassis         %.1f MB\n  idle CPU per chassis    %.2f %% of a core\n  teardown                %v\n",
		r.Chassis, r.Chassis*r.Guests, r.Registered.Round(10*time.Millisecond), r.PortsUp.Round(10*time.Millisecond),
		r.Reached, r.Pairs, float64(r.RSS)/(1<<20), 100*r.IdleCPU, r.Teardown.Round(10*time.Millisecond))
	return int64(n), err
}

// ErrScaleConfig: a ScaleConfig out of range.
var ErrScaleConfig = errors.New("labs: scale: chassis must be 1 to 200, guests 1 to 250, pairs 0 or more")

// Scale builds an OVN world of cfg.Chassis chassis with cfg.Guests guests
// each on one logical switch, pings a sample of cross-chassis pairs,
// measures it and tears it down (also on error).
func Scale(ctx context.Context, cfg ScaleConfig) (res *ScaleResult, err error) {
	if cfg.Chassis < 1 || cfg.Chassis > 200 || cfg.Guests < 1 || cfg.Guests > 250 || cfg.Pairs < 0 {
		return nil, ErrScaleConfig
	}
	if cfg.Idle == 0 {
		cfg.Idle = 5 * time.Second
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	w, err := sim.New(ctx, sim.Config{Prefix: cfg.Prefix, Logger: cfg.Logger})
	if err != nil {
		return nil, err
	}
	closed := false
	defer func() {
		if !closed {
			err = errors.Join(err, w.Close())
		}
	}()
	res = &ScaleResult{Chassis: cfg.Chassis, Guests: cfg.Guests}
	central, err := w.AddCentral(ctx, sim.CentralConfig{})
	if err != nil {
		return nil, err
	}
	underlay, err := w.AddUnderlay(ctx, "underlay")
	if err != nil {
		return nil, err
	}
	chassis := make([]*sim.Chassis, cfg.Chassis)
	start := time.Now()
	if err := parallel(ctx, cfg.Chassis, 4, func(i int) error {
		var err error
		chassis[i], err = central.AddChassis(ctx, sim.ChassisName(i+1), sim.ChassisConfig{Underlay: underlay, Addr: chassisAddr(i+1) + "/24", MAC: sim.UnderlayMAC(i + 1)})
		return err
	}); err != nil {
		return nil, err
	}
	if err := central.WaitChassis(ctx); err != nil {
		return nil, err
	}
	res.Registered = time.Since(start)
	if err := central.LinkChassis(ctx); err != nil {
		return nil, err
	}
	// One switch; guest j of chassis i is g<i>-<j>, 10.0.<i>.<j+10>/16.
	name := func(i, j int) string { return fmt.Sprintf("g%d-%d", i+1, j+1) }
	addr := func(i, j int) string { return fmt.Sprintf("10.0.%d.%d", i+1, j+10) }
	macOf := func(i, j int) string { return fmt.Sprintf("52:54:00:01:%02x:%02x", i+1, j+1) }
	cmds := []ovsdb.Command{nb.AddSwitch("sw0")}
	var ports []string
	for i := range cfg.Chassis {
		for j := range cfg.Guests {
			cmds = append(cmds, ovnPort("sw0", name(i, j), macOf(i, j), addr(i, j))...)
			ports = append(ports, name(i, j))
		}
	}
	if _, err := central.NB.Transact(ctx, cmds...); err != nil {
		return nil, err
	}
	guests := make([][]*sim.Guest, cfg.Chassis)
	start = time.Now()
	if err := parallel(ctx, cfg.Chassis, 4, func(i int) error {
		for j := range cfg.Guests {
			g, err := chassis[i].Plug(ctx, sim.GuestConfig{Name: name(i, j), Vif: fmt.Sprintf("vif%d", j+1), MAC: macOf(i, j), Addr: addr(i, j) + "/16"}, name(i, j))
			if err != nil {
				return err
			}
			guests[i] = append(guests[i], g)
		}
		return nil
	}); err != nil {
		return nil, err
	}
	if err := central.WaitPortsUp(ctx, ports...); err != nil {
		return nil, err
	}
	res.PortsUp = time.Since(start)
	// Pairs spread over the chassis: guest 0 of chassis i with guest 0
	// of chassis i + n/2 (and onwards), every pair on two chassis.
	for k := range cfg.Pairs {
		if cfg.Chassis < 2 {
			break
		}
		i := k % cfg.Chassis
		j := (i + 1 + k/cfg.Chassis + cfg.Chassis/2) % cfg.Chassis
		if j == i {
			j = (i + 1) % cfg.Chassis
		}
		res.Pairs++
		if ok, err := guests[i][0].Ping(ctx, addr(j, 0)); err == nil && ok {
			res.Reached++
		}
	}
	if res.RSS, res.IdleCPU, err = chassisCost(ctx, chassis, cfg.Idle); err != nil {
		return nil, err
	}
	closed = true
	start = time.Now()
	err = w.Close()
	res.Teardown = time.Since(start)
	return res, err
}

// parallel runs fn(0..n-1) on at most workers goroutines; the first error
// stops the others from starting more.
func parallel(ctx context.Context, n, workers int, fn func(i int) error) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	next := make(chan int)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				if errs[i] = fn(i); errs[i] != nil {
					cancel()
				}
			}
		}()
	}
feed:
	for i := range n {
		select {
		case next <- i:
		case <-ctx.Done():
			break feed
		}
	}
	close(next)
	wg.Wait()
	return errors.Join(errs...)
}

// chassisCost measures the chassis's daemons (ovsdb-server, ovs-vswitchd,
// ovn-controller): their resident memory per chassis, and their CPU per
// chassis over idle, as a fraction of one core.
func chassisCost(ctx context.Context, chassis []*sim.Chassis, idle time.Duration) (rss int64, cpu float64, err error) {
	var pids []int
	for _, ch := range chassis {
		pids = append(pids, ch.OVS.DBPID(), ch.OVS.VSwitchdPID(), ch.Controller.PID())
	}
	ticks := func() (int64, error) {
		var sum int64
		for _, pid := range pids {
			b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
			if err != nil {
				return 0, err
			}
			// Fields after the command (which may hold spaces): utime is
			// the 14th field, stime the 15th.
			f := strings.Fields(string(b[strings.LastIndexByte(string(b), ')')+2:]))
			if len(f) < 13 {
				return 0, fmt.Errorf("/proc/%d/stat: %d fields after the command", pid, len(f))
			}
			u, _ := strconv.ParseInt(f[11], 10, 64)
			s, _ := strconv.ParseInt(f[12], 10, 64)
			sum += u + s
		}
		return sum, nil
	}
	for _, pid := range pids {
		b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
		if err != nil {
			return 0, 0, err
		}
		for _, line := range strings.Split(string(b), "\n") {
			if v, ok := strings.CutPrefix(line, "VmRSS:"); ok {
				kb, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
				rss += kb << 10
			}
		}
	}
	before, err := ticks()
	if err != nil {
		return 0, 0, err
	}
	t := time.Now()
	select {
	case <-ctx.Done():
		return 0, 0, ctx.Err()
	case <-time.After(idle):
	}
	after, err := ticks()
	if err != nil {
		return 0, 0, err
	}
	// Clock ticks are 100 per second on Linux.
	secs := float64(after-before) / 100
	n := float64(len(chassis))
	return rss / int64(len(chassis)), secs / time.Since(t).Seconds() / n, nil
}
