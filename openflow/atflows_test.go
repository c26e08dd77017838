package openflow_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ovskit/ovskit/openflow"
	"github.com/ovskit/ovskit/ovsdb/ovstest"
)

// parseFlowsCases returns the flows of the parse-flows cases of OVS's
// tests/ovs-ofctl.at (the AT_DATA flows.txt of each), in order, once each.
func parseFlowsCases(at string) []string {
	var flows []string
	seen := map[string]bool{}
	for _, sec := range strings.Split(at, "AT_SETUP([")[1:] {
		title, _, _ := strings.Cut(sec, "])")
		if !strings.Contains(title, "parse-flows") {
			continue
		}
		// "choice of protocol": one match per test case, installed with
		// actions=drop.
		if _, cases, ok := strings.Cut(sec, "for test_case in \\\n"); ok {
			cases, _, _ = strings.Cut(cases, "\ndo\n")
			for _, l := range strings.Split(cases, "\n") {
				l = strings.Trim(strings.TrimSpace(l), "'\\ ")
				if f := strings.Fields(l); len(f) > 0 && !seen[f[0]] {
					seen[f[0]] = true
					flows = append(flows, f[0]+",actions=drop")
				}
			}
		}
		for _, data := range strings.Split(sec, "AT_DATA([flows.txt], [")[1:] {
			var body string
			if rest, ok := strings.CutPrefix(data, "["); ok {
				body, _, _ = strings.Cut(rest, "\n]])")
			} else {
				// One level of m4 quotes: "[[" and "]]" stand for "[" and "]".
				body, _, _ = strings.Cut(data, "\n])")
				body = strings.NewReplacer("[[", "[", "]]", "]").Replace(body)
			}
			for _, l := range strings.Split(body, "\n") {
				l = strings.TrimSpace(l)
				if l == "" || strings.HasPrefix(l, "#") || seen[l] {
					continue
				}
				seen[l] = true
				flows = append(flows, l)
			}
		}
	}
	return flows
}

// TestOfctlAtFlows installs every flow of ovs-ofctl.at's parse-flows cases
// through ovs-ofctl on bridge a and through package openflow on bridge b,
// in OpenFlow 1.3 and in 1.5 (where loads are set_field and moves
// copy_field). For each flow ovs-ofctl accepts, both tables must dump
// alike, package openflow must print a's dump as ovs-ofctl does, and what
// it prints must parse back to the same flow; a flow ovs-ofctl refuses,
// package openflow must refuse too.
func TestOfctlAtFlows(t *testing.T) {
	flows := parseFlowsCases(ovstest.SourceFile(t, "tests/ovs-ofctl.at"))
	if len(flows) < 100 {
		t.Fatalf("only %d flows found in ovs-ofctl.at's parse-flows cases", len(flows))
	}
	_, sw := newOFSwitch(t)
	ctx, cancel := context.WithTimeout(context.Background(), 8*time.Minute)
	defer cancel()
	for _, ver := range []openflow.Version{openflow.OpenFlow13, openflow.OpenFlow15} {
		t.Run(ver.String(), func(t *testing.T) { atFlows(ctx, t, sw, ver, flows) })
	}
}

func atFlows(ctx context.Context, t *testing.T, sw ofSwitch, ver openflow.Version, flows []string) {
	c, own := dialBoth(ctx, t, sw, ver)
	var accepted, identical, refusedBoth int
	var differ []string
	for _, flow := range flows {
		for _, br := range []string{sw.a, sw.b} {
			if out, err := ofctl(ctx, ver, "del-flows", br); err != nil {
				t.Fatalf("del-flows: %v: %s", err, out)
			}
		}
		outA, errA := ofctl(ctx, ver, "add-flow", sw.a, flow)
		f, errB := openflow.ParseFlow(flow)
		if errB == nil {
			errB = c.AddFlows(ctx, f)
		}
		if errA != nil {
			if errB != nil {
				refusedBoth++
			} else {
				differ = append(differ, fmt.Sprintf("%s\n\tovs-ofctl refuses it (%s), ovskit installs it", flow, strings.TrimSpace(outA)))
			}
			continue
		}
		accepted++
		if errB != nil {
			differ = append(differ, fmt.Sprintf("%s\n\tovskit: %v", flow, errB))
			continue
		}
		da, db := dumpSorted(ctx, t, ver, sw.a), dumpSorted(ctx, t, ver, sw.b)
		if da != db {
			differ = append(differ, fmt.Sprintf("%s\n\tovs-ofctl: %s\n\tovskit:    %s", flow, da, db))
			continue
		}
		dumped, err := own.DumpFlows(ctx, nil)
		if err != nil {
			t.Fatal(err)
		}
		var lines []string
		ok := true
		for _, d := range dumped {
			lines = append(lines, d.String())
			back, err := openflow.ParseFlow(d.String())
			if err != nil || back.String() != d.String() {
				ok = false
				differ = append(differ, fmt.Sprintf("%s\n\t%q does not parse back (%v)", flow, d.String(), err))
			}
		}
		slices.Sort(lines)
		if got := strings.Join(lines, "\n"); got != da {
			ok = false
			differ = append(differ, fmt.Sprintf("%s\n\tovskit prints %s\n\tovs-ofctl     %s", flow, got, da))
		}
		if ok {
			identical++
		}
	}
	fmt.Printf("openflow ovs-ofctl.at (%v): %d parse-flows flows, %d accepted by ovs-ofctl, %d identical; %d refused by both\n", ver, len(flows), accepted, identical, refusedBoth)
	for _, d := range differ {
		t.Error(d)
	}
	// The cases are flows ovs-ofctl's own tests parse: if most of them
	// were refused, the extraction or the setup is broken, and "refused
	// by both" would prove nothing.
	if accepted < len(flows)*9/10 {
		t.Errorf("ovs-ofctl accepted %d of %d flows; want at least 90 %%", accepted, len(flows))
	}
}
