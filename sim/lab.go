package sim

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"text/tabwriter"
	"time"
)

// Lab is a runnable scenario: it builds a topology in a World and records
// its checks in a Report. Run returns an error when it cannot go on (a
// step failed); failed checks are in the report, not in the error.
type Lab struct {
	Name, Title string
	Run         func(ctx context.Context, w *World, r *Report) error
}

// RunConfig configures Run.
type RunConfig struct {
	Config
	// Keep leaves the topology up after the lab and describes it on Out.
	Keep bool
	// Out receives the description of a kept topology (os.Stdout if nil).
	Out io.Writer
	// Diagram, when set, is a file the lab's topology is drawn into once
	// it is built (World.WriteDiagram: .svg, .png, .dot, ...).
	Diagram string
}

// Run builds a fresh world, runs the lab in it and tears the world down,
// also when the lab fails or ctx is cancelled (Ctrl-C). An error from the
// lab is recorded in the report as a failed check and returned.
func Run(ctx context.Context, lab Lab, cfg RunConfig) (rep *Report, err error) {
	if cfg.Out == nil {
		cfg.Out = os.Stdout
	}
	start := time.Now()
	rep = NewReport(lab.Name, lab.Title)
	defer func() { rep.Duration = time.Since(start) }()
	w, err := New(ctx, cfg.Config)
	if err != nil {
		return rep, err
	}
	defer func() {
		if cfg.Keep && ctx.Err() == nil {
			w.Keep()
			fmt.Fprintf(cfg.Out, "%s: kept; remove it with the cleanup command (prefix %q):\n", lab.Name, w.Prefix)
			w.Describe(cfg.Out)
		}
		if cerr := w.Close(); cerr != nil {
			err = errors.Join(err, fmt.Errorf("teardown: %w", cerr))
		}
	}()
	err = lab.Run(ctx, w, rep)
	addBootChecks(w, rep)
	if err != nil {
		rep.Add(Check{From: lab.Name, What: "run", Expected: "completes", Observed: "error: " + err.Error()})
		return rep, err
	}
	if cfg.Diagram != "" {
		if err := w.WriteDiagram(ctx, cfg.Diagram); err != nil {
			return rep, err
		}
	}
	return rep, nil
}

// addBootChecks records, for each VM guest, how long it took to boot.
func addBootChecks(w *World, rep *Report) {
	w.mu.Lock()
	guests := append([]*Guest(nil), w.guests...)
	w.mu.Unlock()
	for _, g := range guests {
		if g.VM == nil {
			continue
		}
		c := Check{From: g.Name, To: "qemu " + g.Vif, What: "boot", Expected: "boots", Observed: "not booted"}
		if d := g.VM.BootTime(); d > 0 {
			c.Observed, c.Pass = fmt.Sprintf("booted in %.1fs", d.Seconds()), true
			c.Expected = c.Observed // the figure is the report's, not a target
		}
		rep.Add(c)
	}
}

// Main is the whole main function of a lab program:
//
//	PROGRAM [-keep] [-prefix P] [-guests netns|qemu] [-schema FILE] [-diagram FILE] [-v]   run the labs, in order
//	PROGRAM [-prefix P] cleanup           remove what -keep left
//
// It prints each lab's report (and a summary when there are several),
// tears everything down also on Ctrl-C, and exits 1 when a check failed
// or a lab could not run, 2 on a usage error.
func Main(labs ...Lab) {
	os.Exit(main(os.Args[1:], os.Stdout, os.Stderr, labs))
}

func main(args []string, stdout, stderr io.Writer, labs []Lab) int {
	fs := flag.NewFlagSet(labName(labs), flag.ContinueOnError)
	fs.SetOutput(stderr)
	keep := fs.Bool("keep", false, "leave the topology up (namespaces, servers); remove it later with the cleanup command")
	prefix := fs.String("prefix", DefaultPrefix, "prefix of every namespace name")
	verbose := fs.Bool("v", false, "log what the simulation does")
	guests := fs.String("guests", "netns", "what a guest is: `netns` (a network namespace) or qemu (a real VM on a tap device)")
	diagram := fs.String("diagram", "", "draw the topology into `FILE` (.svg, .png, .dot; several labs: one file each, LAB- prefixed)")
	schema := fs.String("schema", "", "create every host's Open vSwitch database from this schema `FILE` (default: the installed one), an older version's for instance")
	fs.Usage = func() {
		fmt.Fprintf(stderr, "usage: %s [-keep] [-prefix P] [-guests netns|qemu] [-schema FILE] [-diagram FILE] [-v]\n       %s [-prefix P] cleanup\n", fs.Name(), fs.Name())
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if err := CheckPrefix(*prefix); err != nil {
		fmt.Fprintf(stderr, "%s: -prefix: %v\n", fs.Name(), err)
		return 2
	}
	kind, err := ParseGuestKind(*guests)
	if err != nil {
		fmt.Fprintf(stderr, "%s: -guests: %v\n", fs.Name(), err)
		return 2
	}
	level := slog.LevelWarn
	if *verbose {
		level = slog.LevelDebug
	}
	log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: level}))
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := Supported(); err != nil {
		hint := ""
		if errors.Is(err, ErrNotRoot) {
			hint = "; run it as root (sudo)"
		}
		fmt.Fprintf(stderr, "%s: %v%s\n", fs.Name(), err, hint)
		return 1
	}
	switch fs.Arg(0) {
	case "":
	case "cleanup":
		if err := Cleanup(ctx, *prefix); err != nil {
			fmt.Fprintf(stderr, "cleanup: %v\n", err)
			return 1
		}
		fmt.Fprintf(stdout, "cleanup: nothing left of prefix %q\n", *prefix)
		return 0
	default:
		fs.Usage()
		return 2
	}
	cfg := RunConfig{Config: Config{Prefix: *prefix, Logger: log, Guests: kind, Schema: *schema}, Out: stdout}
	var reports []*Report
	var failed bool
	for i, lab := range labs {
		// With several labs only the last one can be kept: each starts
		// from nothing, and removes what the one before kept.
		cfg.Keep = *keep && i == len(labs)-1
		cfg.Diagram = *diagram
		if *diagram != "" && len(labs) > 1 {
			cfg.Diagram = filepath.Join(filepath.Dir(*diagram), lab.Name+"-"+filepath.Base(*diagram))
		}
		rep, err := Run(ctx, lab, cfg)
		reports = append(reports, rep)
		_, _ = rep.WriteTo(stdout)
		if err != nil {
			fmt.Fprintf(stderr, "%s: %v\n", lab.Name, err)
		}
		if err != nil || len(rep.Failed()) > 0 {
			failed = true
		}
		if ctx.Err() != nil {
			fmt.Fprintln(stderr, "interrupted: torn down")
			return 1
		}
	}
	if len(labs) > 1 {
		writeSummary(stdout, reports)
	}
	if failed {
		return 1
	}
	return 0
}

func labName(labs []Lab) string {
	if len(labs) == 1 {
		return labs[0].Name
	}
	return "labs"
}

func writeSummary(out io.Writer, reports []*Report) {
	fmt.Fprintln(out, "== summary")
	tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "  LAB\tCHECKS\tFAILED\tTIME\tRESULT\tTITLE")
	var total time.Duration
	for _, r := range reports {
		res := "pass"
		if len(r.Failed()) > 0 {
			res = "FAIL"
		}
		total += r.Duration
		fmt.Fprintf(tw, "  %s\t%d\t%d\t%.1fs\t%s\t%s\n", r.Lab, len(r.Checks()), len(r.Failed()), r.Duration.Seconds(), res, r.Title)
	}
	tw.Flush()
	fmt.Fprintf(out, "  total %.1fs\n", total.Seconds())
}
