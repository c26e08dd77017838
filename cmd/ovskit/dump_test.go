package main

import (
	"context"
	"encoding/json"
	"io"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/ovskit/ovskit/ovsdb/ovstest"
)

// TestDumpMatchesOvsdbClient: the suites' dump (plain JSON-RPC) reads what
// ovsdb-client dump reads, row for row and cell for cell, on a database
// that ovs-vsctl filled with every kind of column.
func TestDumpMatchesOvsdbClient(t *testing.T) {
	ovstest.Require(t, ovstest.NeedOVSDB)
	srv := ovstest.NewServer(t, ovstest.WithoutClient())
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	for _, line := range []string{
		"add-br br0", "add-port br0 p1 tag=10 trunks=1,2 external_ids:k=v", "add-bond br0 b0 e1 e2",
		"set Interface p1 mtu_request=9000 options:x=1", "set-controller br0 tcp:192.0.2.1:6653", "set-manager ptcp:6640",
	} {
		if code, out, errOut := runRealVsctl(ctx, srv.Endpoint, line, false); code != 0 {
			t.Fatalf("ovs-vsctl %s: %d %s %s", line, code, out, errOut)
		}
	}
	ours, err := selectAll(srv.Endpoint, "Open_vSwitch")
	if err != nil {
		t.Fatal(err)
	}
	out, err := exec.CommandContext(ctx, "ovsdb-client", "dump", "-f", "json", srv.Endpoint, "Open_vSwitch").Output()
	if err != nil {
		t.Fatal(err)
	}
	dec := json.NewDecoder(strings.NewReader(string(out)))
	rows := 0
	for {
		var tbl struct {
			Caption  string   `json:"caption"`
			Headings []string `json:"headings"`
			Data     [][]any  `json:"data"`
		}
		if err := dec.Decode(&tbl); err == io.EOF {
			break
		} else if err != nil {
			t.Fatal(err)
		}
		tn := strings.TrimSuffix(tbl.Caption, " table")
		if len(ours[tn]) != len(tbl.Data) {
			t.Fatalf("%s: %d rows, ovsdb-client dump has %d", tn, len(ours[tn]), len(tbl.Data))
		}
		byUUID := map[string]map[string]any{}
		for _, r := range ours[tn] {
			byUUID[r["_uuid"].([]any)[1].(string)] = r
		}
		for _, d := range tbl.Data {
			rows++
			u := ""
			for i, h := range tbl.Headings {
				if h == "_uuid" {
					u = d[i].([]any)[1].(string)
				}
			}
			r := byUUID[u]
			for i, h := range tbl.Headings {
				a, _ := json.Marshal(d[i])
				b, _ := json.Marshal(r[h])
				if string(a) != string(b) {
					t.Errorf("%s %s column %s: %s, ovsdb-client dump has %s", tn, u, h, b, a)
				}
			}
		}
	}
	if rows < 8 {
		t.Fatalf("ovsdb-client dump shows %d rows; the check compared too little", rows)
	}
}
