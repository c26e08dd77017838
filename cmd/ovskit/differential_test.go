package main

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"os/exec"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ovskit/ovskit/bridge"
	"github.com/ovskit/ovskit/iface"
	"github.com/ovskit/ovskit/ovsdb"
	"github.com/ovskit/ovskit/ovsdb/ovstest"
	"github.com/ovskit/ovskit/port"
	"github.com/ovskit/ovskit/tunnel"
	"github.com/ovskit/ovskit/vlan"
	"github.com/ovskit/ovskit/vswitchdb"
)

// step is one ovs-vsctl command line. ovs-vsctl runs it against one
// database; ovskit runs it against the other, through the CLI's mapping
// onto the typed API, or through typed, when given: the Go calls that
// mean the same.
type step struct {
	line      string
	typed     []ovsdb.Command
	unordered bool // output rows follow UUID order: compare sorted lines
	fresh     bool // output names rows the line inserted: UUIDs compare as <uuid>
}

type scenario struct {
	name  string
	steps []step
}

func s(lines ...string) []step {
	out := make([]step, len(lines))
	for i, l := range lines {
		out[i] = step{line: l}
	}
	return out
}

// base sets up bridges that many scenarios start from.
var base = []string{
	"add-br br0",
	"add-port br0 p1",
	"add-port br0 p2 tag=10",
}

func withBase(lines ...string) []step { return s(append(append([]string{}, base...), lines...)...) }

func scenarios() []scenario {
	secure := vswitchdb.BridgeFailModeSecure
	tr := true
	return []scenario{
		// Basic commands of the tutorial (LABS.md "Basic commands").
		{"tutorial-basics", s("add-br br-in", "list-br", "br-exists br-in", "add-port br-in ens37", "add-port br-in vif0.0",
			"list-ports br-in", "set Interface vif0.0 options:x=1", "port-to-br vif0.0", "list-ifaces br-in", "iface-to-br ens37")},
		{"tutorial-show", []step{{line: "add-br br-in"}, {line: "add-port br-in vif0.0"}, {line: "show", unordered: true}, {line: "add-port br-in zz"}}},
		{"tutorial-list-interface", []step{{line: "add-br br-in"}, {line: "add-port br-in vif0.0"}, {line: "list Interface", unordered: true}}},
		{"tutorial-list-port", s("add-br br-in", "add-port br-in vif0.0", "list Port vif0.0")},
		{"tutorial-del-port-del-br", s("add-br br-in", "add-port br-in vif0.0", "del-port br-in vif0.0", "list-ports br-in", "del-br br-in", "list-br")},
		{"tutorial-set-tag", s("add-br br-in", "add-port br-in vif0.0", "set port vif0.0 tag=10", "get Port vif0.0 tag trunks vlan_mode")},
		{"tutorial-remove-tag", s("add-br br-in", "add-port br-in vif0.0", "set port vif0.0 tag=10", "remove Port vif0.0 tag 10", "get Port vif0.0 tag")},
		{"tutorial-gre", s("add-br br-in", "add-port br-in gre0", "set interface gre0 type=gre options:remote_ip=192.168.100.11", "get Interface gre0 type options")},
		// The labs' command lines.
		{"lab1", s("add-br br-in", "add-port br-in ens37", "add-port br-in vif0.0", "add-port br-in vif1.0")},
		{"lab2", s("add-br br-in", "add-port br-in vif0.0", "add-port br-in vif1.0", "set port vif0.0 tag=10", "set port vif1.0 tag=11",
			"list Port vif0.0", "add-br br1-in", "add-port br1-in vif2.0", "add-port br-in s0", "add-port br1-in s1",
			"set port vif2.0 tag=10", "remove Port vif0.0 tag 10")},
		{"lab3", s("add-br ovs-br1", "add-port ovs-br1 sif0", "add-port ovs-br1 vif4.0")},
		{"lab4", s("add-br ovs-br1", "add-port ovs-br1 gre1 -- set interface gre1 type=gre options:remote_ip=192.168.100.11",
			"add-br ovs-br2", "add-port ovs-br2 gre2 -- set interface gre2 type=gre options:remote_ip=192.168.100.10", "add-port ovs-br2 vif5.0")},
		{"lab5", s("add-br ovs-br1", "add-port ovs-br1 vif4.0", "add-port ovs-br1 vif6.0", "set port vif4.0 tag=10", "set port vif6.0 tag=11",
			"add-br ovs-br2", "add-port ovs-br2 vif5.0", "add-port ovs-br2 vif7.0", "set port vif5.0 tag=10", "set port vif7.0 tag=11")},
		{"lab6", s("add-br ovs-br1", "add-port ovs-br1 vif4.0 tag=10", "add-port ovs-br1 gre1 -- set interface gre1 type=gre options:remote_ip=192.168.100.11",
			"remove Port vif4.0 tag 10", "del-port ovs-br1 gre1",
			"add-port ovs-br1 gre3 -- set interface gre3 type=gre options:remote_ip=192.168.100.12",
			"add-br ovs-br3", "add-port ovs-br3 sin0",
			"add-port ovs-br3 gre5 -- set interface gre5 type=gre options:remote_ip=192.168.100.10",
			"add-port ovs-br3 gre6 -- set interface gre6 type=gre options:remote_ip=192.168.100.11")},
		{"lab-netdev-bridge", s("add-br br0 -- set bridge br0 datapath_type=netdev", "get Bridge br0 datapath_type")},
		// Bridges.
		{"add-br-twice-fails", s("add-br br0", "add-br br0")},
		{"may-exist-add-br", s("add-br br0", "--may-exist add-br br0", "list-br")},
		{"may-exist-add-br-is-fake", s("add-br br0", "add-br vlan9 br0 9", "--may-exist add-br vlan9")},
		{"may-exist-add-br-not-fake", s("add-br br0", "--may-exist add-br br0 br0 9")},
		{"may-exist-add-br-wrong-vlan", s("add-br br0", "add-br vlan9 br0 9", "--may-exist add-br vlan9 br0 10")},
		{"may-exist-add-br-wrong-parent", s("add-br br0", "add-br br1", "add-br vlan9 br0 9", "--may-exist add-br vlan9 br1 9")},
		{"may-exist-add-br-fake-same", s("add-br br0", "add-br vlan9 br0 9", "--may-exist add-br vlan9 br0 9")},
		{"add-br-name-of-port-fails", withBase("add-br p1")},
		{"add-br-empty-name-fails", s("add-br ''")},
		{"del-br", withBase("del-br br0", "list-br")},
		{"del-br-missing-fails", s("del-br nosuch")},
		{"if-exists-del-br", s("--if-exists del-br nosuch")},
		{"br-exists-missing", s("add-br br0", "br-exists br1")},
		{"list-br-real-fake", s("add-br br0", "add-br vlan5 br0 5", "list-br --real", "list-br --fake", "list-br")},
		{"fake-bridge", s("add-br br0", "add-br vlan5 br0 5", "add-port vlan5 f1", "port-to-br f1", "br-to-vlan vlan5",
			"br-to-parent vlan5", "br-to-vlan br0", "br-to-parent br0", "list-ports vlan5", "list-ports br0")},
		{"fake-bridge-errors", s("add-br br0", "add-br vlan5 br0 5", "add-br vlan6 vlan5 6", "add-br other br0 5",
			"add-br v nosuch 3", "add-br v br0 4096")},
		{"del-fake-bridge", s("add-br br0", "add-br vlan5 br0 5", "add-port vlan5 f1", "del-br vlan5", "list-ports br0", "list-br")},
		{"del-br-with-fake", s("add-br br0", "add-br vlan5 br0 5", "add-port vlan5 f1", "add-port br0 p1", "del-br br0", "list-br")},
		{"bridge-external-ids", s("add-br br0", "br-set-external-id br0 k1 v1", "br-set-external-id br0 k2 v2",
			"br-get-external-id br0", "br-get-external-id br0 k1", "br-set-external-id br0 k1", "br-get-external-id br0")},
		{"fake-bridge-external-ids", s("add-br br0", "add-br vlan5 br0 5", "br-set-external-id vlan5 k v", "br-get-external-id vlan5")},
		// Controllers, fail mode, managers, SSL.
		{"controllers", s("add-br br0", "set-controller br0 tcp:192.0.2.1:6653 tcp:192.0.2.2:6653", "get-controller br0",
			"set-controller br0 ptcp:6653", "get-controller br0", "del-controller br0", "get-controller br0")},
		{"controller-inactivity-probe", s("add-br br0", "--inactivity-probe=30000 set-controller br0 tcp:192.0.2.1:6653")},
		{"controller-fake-bridge-fails", s("add-br br0", "add-br vlan5 br0 5", "set-controller vlan5 tcp:192.0.2.1:6653", "get-controller vlan5")},
		{"fail-mode", s("add-br br0", "set-fail-mode br0 secure", "get-fail-mode br0", "del-fail-mode br0", "get-fail-mode br0")},
		{"fail-mode-bad", s("add-br br0", "set-fail-mode br0 closed")},
		{"managers", s("set-manager tcp:192.0.2.9:6640 ptcp:6640", "get-manager", "--inactivity-probe=5000 set-manager ptcp:6641", "get-manager", "del-manager", "get-manager")},
		{"ssl", s("set-ssl /k.pem /c.pem /ca.pem", "get-ssl", "--bootstrap set-ssl /k2.pem /c2.pem /ca2.pem", "get-ssl", "del-ssl", "get-ssl")},
		// Ports.
		{"add-port-settings", s("add-br br0", "add-port br0 p1 tag=5 other_config:priority-tags=true external_ids:vm=one")},
		{"add-port-missing-bridge", s("add-port nosuch p1")},
		{"add-port-conflicts", withBase("add-port br0 br0", "add-port br0 p1", "add-br br1", "add-port br1 p1")},
		{"may-exist-add-port", withBase("--may-exist add-port br0 p1", "list-ports br0")},
		{"may-exist-add-port-other-bridge", withBase("add-br br1", "--may-exist add-port br1 p1")},
		{"may-exist-add-port-other-ifaces", withBase("add-bond br0 b0 e1 e2", "--may-exist add-port br0 b0")},
		{"del-port-forms", withBase("del-port p1", "del-port br0 p2", "list-ports br0")},
		{"del-port-errors", withBase("add-br br1", "del-port br1 p1", "del-port nosuch", "del-port br0")},
		{"if-exists-del-port", withBase("--if-exists del-port nosuch", "--if-exists del-port br0")},
		{"del-port-with-iface", withBase("add-bond br0 b0 e1 e2", "--with-iface del-port e2", "list-ports br0")},
		{"del-port-child-bridge", s("add-br br0", "add-br vlan5 br0 5", "add-port vlan5 f1", "del-port br0 f1")},
		{"port-to-br-missing", withBase("port-to-br nosuch", "iface-to-br nosuch")},
		// Bonds.
		{"bond", s("add-br br0", "add-bond br0 b0 e1 e2 bond_mode=balance-slb lacp=active", "list-ifaces br0",
			"add-bond-iface b0 e3", "del-bond-iface b0 e1", "list-ifaces br0", "iface-to-br e3")},
		{"bond-fake-iface", s("add-br br0", "--fake-iface add-bond br0 b0 e1 e2")},
		{"bond-errors", s("add-br br0", "add-bond br0 b0 e1", "add-bond br0 b0 e1 e2", "del-bond-iface b0 e1", "del-bond-iface b0 e2")},
		{"bond-iface-may-exist", s("add-br br0", "add-bond br0 b0 e1 e2", "--may-exist add-bond-iface b0 e1",
			"add-port br0 p1", "--may-exist add-bond-iface p1 e1", "--if-exists del-bond-iface nosuch")},
		// Generic database commands.
		{"db-get-set", withBase("set Bridge br0 stp_enable=true other_config:hwaddr=02:00:00:00:00:01", "get Bridge br0 stp_enable other_config",
			"get Bridge br0 other_config:hwaddr", "get Port p2 tag", "get Interface p1 type name")},
		{"db-get-missing-key", withBase("get Bridge br0 other_config:nokey", "--if-exists get Bridge br0 other_config:nokey")},
		{"db-get-if-exists-record", s("--if-exists get Bridge nosuch name")},
		{"db-add-remove", withBase("add Bridge br0 flood_vlans 1 2 3", "get Bridge br0 flood_vlans", "remove Bridge br0 flood_vlans 2",
			"get Bridge br0 flood_vlans", "add Bridge br0 external_ids a=1 b=2", "remove Bridge br0 external_ids a",
			"remove Bridge br0 external_ids b=3", "get Bridge br0 external_ids", "remove Bridge br0 external_ids b=2")},
		{"db-clear", withBase("set Port p1 trunks=1,2", "clear Port p1 trunks", "clear Port p2 tag", "get Port p1 trunks")},
		{"db-trunk-range", withBase("set Port p1 trunks=[10-13,20]", "get Port p1 trunks", "add Port p1 trunks 30-31", "get Port p1 trunks")},
		{"db-set-map-keys", withBase("set Interface p1 options:a=1 options:b=2", "set Interface p1 options:a=3", "get Interface p1 options")},
		{"db-set-whole-map", withBase("set Interface p1 'options={x=1, y=\"two words\"}'", "get Interface p1 options")},
		{"db-abbreviations", withBase("set bridge br0 stp-enable=true", "get br br0 stp_en", "set interface p1 mtu_req=1400", "get Interface p1 mtu_request")},
		{"db-errors", withBase("set Bridge br0 nosuch=1", "set Port p1 tag=4096", "set Bridge br0 name=x", "get Bridge br0 name:key",
			"set Bridge br0 fail_mode=closed", "get Bridge nosuch name", "set Nosuchtable x a=b", "set Port p1 tag=ten")},
		{"db-list-columns", []step{{line: "add-br br0"}, {line: "add-port br0 p1 tag=5"}, {line: "--columns=name,tag list Port", unordered: true},
			{line: "--columns=name list Port p1"}}},
		{"db-find", []step{{line: "add-br br0"}, {line: "add-port br0 p1 tag=5"}, {line: "add-port br0 p2 tag=6"}, {line: "add-port br0 p3"},
			{line: "--columns=name find Port tag=5"}, {line: "--columns=name find Port tag!=5", unordered: true},
			{line: "--columns=name find Port 'tag>5'"}, {line: "--columns=name find Interface type=internal"},
			{line: "--columns=name find Port 'tag{<=}[5,6]'", unordered: true}}},
		{"db-find-map-key", []step{{line: "add-br br0 -- set Bridge br0 external_ids:k=v"}, {line: "add-br br1"},
			{line: "--columns=name find Bridge external_ids:k=v"}, {line: "--columns=name find Bridge 'external_ids:k{not-in}[v]'"}}},
		{"db-create-destroy", withBase("--id=@q create QoS type=linux-htb other_config:max-rate=1000000 -- set Port p1 qos=@q",
			"get Port p1 qos", "list QoS", "clear Port p1 qos", "list QoS")},
		{"db-create-root-and-destroy-all", withBase("create Flow_Sample_Collector_Set id=1 bridge=br0", "--all destroy Flow_Sample_Collector_Set")},
		{"db-id-never-created", withBase("set Port p1 qos=@nope")},
		{"db-destroy-if-exists", s("--if-exists destroy QoS 00000000-0000-0000-0000-000000000000")},
		{"db-get-id", withBase("--id=@b get Bridge br0 -- --id=@m create Mirror name=m1 -- add Bridge br0 mirrors @m")},
		{"db-mirror-by-name", withBase("--id=@m create Mirror name=m1 select_all=true -- add Bridge br0 mirrors @m", "get Mirror m1 select_all", "set Mirror m1 select_all=false")},
		{"db-record-by-uuid-prefix", withBase("--columns=name list Bridge .")},
		{"db-wait-until", withBase("wait-until Bridge br0", "wait-until Port p2 tag=10")},
		{"db-controller-record", s("add-br br0", "set-controller br0 tcp:192.0.2.1:6653", "set Controller br0 inactivity_probe=1000", "get Controller br0 target inactivity_probe")},
		// Chained transactions, all or nothing.
		{"chain", []step{{line: "add-br x -- add-port x p -- set port p tag=3 -- add-port x q trunks=1,2 vlan_mode=trunk"}, {line: "show", unordered: true}}},
		{"chain-fails-atomically", s("add-br x -- add-port x p -- add-port nosuch q", "list-br")},
		{"chain-sees-own-writes", s("add-br x -- add-br y -- add-port y p -- del-port p -- add-port x p", "port-to-br p")},
		{"chain-patch-pair", s("add-br a -- add-br b -- add-port a pa -- set interface pa type=patch options:peer=pb -- add-port b pb -- set interface pb type=patch options:peer=pa")},
		{"vlan-modes", withBase("set Port p1 vlan_mode=native-untagged tag=5 trunks=6,7", "set Port p2 vlan_mode=bogus", "get Port p1 vlan_mode")},
		{"interface-columns", withBase("set Interface p1 mtu_request=9000 ofport_request=7 mac=\"02:00:00:00:00:07\" external_ids:iface-id=vm1", "get Interface p1 mtu_request ofport_request mac external_ids")},
		{"tunnels", s("add-br br0",
			"add-port br0 vx1 -- set Interface vx1 type=vxlan options:remote_ip=192.0.2.10 options:key=flow options:dst_port=4790",
			"add-port br0 gn1 -- set Interface gn1 type=geneve options:remote_ip=flow options:key=99",
			"add-port br0 er1 -- set Interface er1 type=erspan options:remote_ip=192.0.2.11 options:erspan_ver=1 options:erspan_idx=3")},
		// The typed API, compared with the ovs-vsctl line that means the same.
		{"typed-bridge", []step{{line: "add-br br0 -- set Bridge br0 datapath_type=netdev fail_mode=secure stp_enable=true other_config:datapath-id=00000000000000aa external_ids:owner=me",
			typed: []ovsdb.Command{bridge.Add("br0", bridge.DatapathType("netdev"), bridge.FailMode(secure), bridge.STP(true),
				bridge.DatapathID("00000000000000aa"), bridge.ExternalID("owner", "me"))}}}},
		{"typed-port-vlan", []step{{line: "add-br br0"},
			{line: "add-port br0 p1 tag=10 -- add-port br0 t1 trunks=10,11 vlan_mode=trunk",
				typed: []ovsdb.Command{port.Add("br0", "p1", vlan.Tag(10)), port.Add("br0", "t1", vlan.Trunks(10, 11), vlan.Mode(vswitchdb.PortVLANModeTrunk))}},
			{line: "remove Port p1 tag 10", typed: []ovsdb.Command{vlan.RemoveTag("p1", 10)}},
			{line: "set Port t1 trunks=12", typed: []ovsdb.Command{vlan.SetTrunks("t1", 12)}}}},
		{"typed-tunnel", []step{{line: "add-br br0"},
			{line: "add-port br0 gre1 -- set Interface gre1 type=gre options:remote_ip=192.168.100.11 options:key=5 options:ttl=64 options:csum=true",
				typed: []ovsdb.Command{tunnel.Add("br0", "gre1", tunnel.GRE, tunnel.Options{RemoteIP: tunnel.IP(netip.MustParseAddr("192.168.100.11")), Key: tunnel.KeyOf(5), TTL: tunnel.Value(64), Csum: &tr})}}}},
		{"typed-patch", []step{{line: "add-br a"}, {line: "add-br b"},
			{line: "add-port a pa -- set interface pa type=patch options:peer=pb -- add-port b pb -- set interface pb type=patch options:peer=pa",
				typed: []ovsdb.Command{iface.PatchPair("a", "pa", "b", "pb")}}}},
		{"typed-bond-controller", []step{{line: "add-br br0"},
			{line: "add-bond br0 b0 e1 e2 bond_mode=active-backup -- set-controller br0 tcp:192.0.2.1:6653 -- set-fail-mode br0 secure",
				typed: []ovsdb.Command{port.AddBond("br0", "b0", []string{"e1", "e2"}, port.BondMode(vswitchdb.PortBondModeActiveBackup)),
					bridge.SetController("br0", []string{"tcp:192.0.2.1:6653"}), bridge.SetFailMode("br0", secure)}}}},
		{"typed-delete", []step{{line: "add-br br0"}, {line: "add-port br0 p1"}, {line: "add-br br1"},
			{line: "del-port br0 p1 -- del-br br1", typed: []ovsdb.Command{port.Delete("p1", port.FromBridge("br0")), bridge.Delete("br1")}},
			{line: "--if-exists del-br nosuch", typed: []ovsdb.Command{bridge.Delete("nosuch", bridge.IfExists())}}}},
		{"typed-may-exist", []step{{line: "add-br br0"}, {line: "add-port br0 p1"}, {line: "add-br br1"},
			{line: "--may-exist add-port br0 p1", typed: []ovsdb.Command{port.Add("br0", "p1", port.MayExist())}},
			{line: "--may-exist add-port br1 p1", typed: []ovsdb.Command{port.Add("br1", "p1", port.MayExist())}}}},
	}
}

// formatScenarios compare ovs-vsctl's output options: --format, --data,
// --no-headings, --pretty, --bare, on list and find, one table or two.
func formatScenarios() []scenario {
	u := func(line string) step { return step{line: line, unordered: true} }
	base := []step{{line: "add-br br0"}, {line: "add-port br0 p1 tag=10"}, {line: "add-port br0 p2 -- set Port p2 trunks=10,11"},
		{line: "add-br br1 -- set Bridge br1 other_config:a=1 external_ids:x=y"}}
	with := func(steps ...step) []step { return append(append([]step{}, base...), steps...) }
	return []scenario{
		{"format-table", with(step{line: "-f table list Bridge br1"})},
		{"format-table-columns", with(u("--format=table --columns=name,datapath_type,other_config list Bridge"))},
		{"format-table-no-headings", with(u("-f table --no-headings --columns=name,tag list Port"))},
		{"format-table-find", with(u("-f table --columns=name,tag,trunks find Port tag=10"))},
		{"format-csv", with(u("-f csv --columns=name,tag,trunks list Port"))},
		{"format-csv-record", with(step{line: "-f csv list Bridge br1"})},
		{"format-csv-no-headings", with(u("--format=csv --no-headings --columns=name,external_ids list Bridge"))},
		{"format-csv-quoting", with(step{line: `set Bridge br1 external_ids:k="a,b\"c"`}, step{line: "-f csv --columns=name,external_ids list Bridge br1"})},
		{"format-html", with(u("-f html --columns=name,datapath_type list Bridge"))},
		{"format-html-escaping", with(step{line: `set Bridge br1 external_ids:k="<a&b>"`}, step{line: "-f html --columns=name,external_ids list Bridge br1"})},
		{"format-html-no-headings", with(u("-f html --no-headings --columns=name list Port"))},
		{"format-json", with(step{line: "-f json --columns=name,datapath_type list Bridge br0"})},
		{"format-json-record", with(step{line: "-f json list Bridge br1"})},
		{"format-json-pretty", with(step{line: "-f json --pretty --columns=name,tag,trunks find Port name=p2"})},
		{"format-json-data-string", with(step{line: "-f json -d string --columns=name,other_config list Bridge br1"})},
		{"format-json-find", with(step{line: "--format=json --columns=name,trunks find Port trunks{>=}10"})},
		{"data-bare", with(u("--data=bare --columns=name,trunks list Port"))},
		{"data-json", with(u("--data=json --columns=name,tag,trunks list Port"))},
		{"data-json-table", with(u("-d json -f table --columns=name,other_config,external_ids list Bridge"))},
		{"data-string-csv", with(u("--data=string -f csv --columns=name,other_config list Bridge"))},
		{"data-bare-html", with(u("-d bare -f html --columns=name,trunks list Port"))},
		{"list-no-headings", with(u("--no-headings --columns=name,tag list Port"))},
		{"bare-columns", with(u("--bare --columns=name,tag list Port"))},
		{"two-tables", with(u("-f table --columns=name list Bridge -- --columns=name,tag list Port"))},
		{"two-tables-csv", with(u("-f csv --columns=name list Bridge -- --columns=name list Port"))},
		{"two-tables-json", with(step{line: "-f json --columns=name list Bridge br0 -- --columns=name list Port p1"})},
		{"get-ignores-format", with(step{line: "-f table get Bridge br1 name other_config"})},
		{"bad-format", with(step{line: "-f bogus list Bridge"})},
		{"bad-data", with(step{line: "-d bogus list Bridge"})},
		{"timeout-overflow", with(step{line: "--timeout=99999999999 list-br"})},
		{"timeout-negative", with(step{line: "--timeout=-1 list-br"})},
		{"empty-commands", with(step{line: "-- -- list-br"})},
		{"emer-reset", with(step{line: "set-controller br0 tcp:192.0.2.1:6653 -- set-fail-mode br0 secure -- set-manager ptcp:6640"},
			step{line: "set Bridge br1 other_config:hwaddr=52:54:00:00:00:01 flood_vlans=10"},
			step{line: "set Port p1 other_config:x=1 -- set Interface p1 ingress_policing_rate=100"},
			step{line: "--id=@m create Mirror name=m1 -- set Bridge br0 mirrors=@m"},
			step{line: "emer-reset"}, step{line: "get-controller br0"}, step{line: "--columns=name,other_config,flood_vlans list Bridge br1"})},
		{"aa-mapping", with(step{line: "add-aa-mapping br0 100 10"}, step{line: "add-aa-mapping br0 200 20"}, step{line: "get-aa-mapping br0"},
			step{line: "add-aa-mapping br0 100 11"}, step{line: "get-aa-mapping br0"}, step{line: "del-aa-mapping br0 200 99"},
			step{line: "get-aa-mapping br0"}, step{line: "del-aa-mapping br0 200 20"}, step{line: "get-aa-mapping br0"})},
		{"aa-mapping-errors", with(step{line: "add-aa-mapping nosuch 1 2"}, step{line: "add-aa-mapping br0 x 2"}, step{line: "get-aa-mapping br1"},
			step{line: "del-aa-mapping br1 1 2"})},
		{"zone-tp", with(step{line: "--id=@d create Datapath datapath_version=0 -- set Open_vSwitch . datapaths:netdev=@d"},
			step{line: "add-zone-tp netdev zone=1 tcp_syn_sent=3 icmp_first=60"}, step{line: "list-zone-tp netdev"},
			step{line: "add-zone-tp netdev zone=2 tcp_syn_sent=3 icmp_first=60"}, step{line: "list-zone-tp netdev"},
			step{line: "add-zone-tp netdev zone=1 udp_first=5"}, step{line: "--may-exist add-zone-tp netdev zone=1 udp_first=5"},
			step{line: "list-zone-tp netdev"}, step{line: "del-zone-tp netdev zone=2"}, step{line: "list-zone-tp netdev"},
			step{line: "del-zone-tp netdev zone=9"}, step{line: "--if-exists del-zone-tp netdev zone=9"})},
		{"zone-tp-errors", with(step{line: "add-zone-tp system zone=1 udp_first=5"}, step{line: "list-zone-tp system"},
			step{line: "--id=@d create Datapath datapath_version=0 -- set Open_vSwitch . datapaths:netdev=@d"},
			step{line: "add-zone-tp netdev zone=1"}, step{line: "add-zone-tp netdev zone=0x10 udp_first=6"},
			step{line: "add-zone-tp netdev zone=7y udp_first=7"}, step{line: "add-zone-tp netdev zone=3 bogus=5"},
			step{line: "list-zone-tp netdev"})},
		{"typed-aa-zone-emer", with(step{line: "--id=@d create Datapath datapath_version=0 -- set Open_vSwitch . datapaths:netdev=@d"},
			step{line: "add-aa-mapping br0 100 10", typed: []ovsdb.Command{bridge.AddAAMapping("br0", 100, 10)}},
			step{line: "del-aa-mapping br0 100 10", typed: []ovsdb.Command{bridge.DelAAMapping("br0", 100, 10)}},
			step{line: "add-zone-tp netdev zone=5 tcp_syn_sent=3 icmp_first=60", typed: []ovsdb.Command{
				bridge.AddZoneTimeoutPolicy("netdev", 5, map[vswitchdb.CTTimeoutPolicyTimeouts]int{vswitchdb.CTTimeoutPolicyTimeoutsTCPSynSent: 3, vswitchdb.CTTimeoutPolicyTimeoutsICMPFirst: 60}, false)}},
			step{line: "set-controller br0 tcp:192.0.2.1:6653"},
			step{line: "emer-reset", typed: []ovsdb.Command{bridge.EmerReset()}},
			step{line: "del-zone-tp netdev zone=5", typed: []ovsdb.Command{bridge.DelZoneTimeoutPolicy("netdev", 5, false)}})},
		{"destroy-referenced", with(step{line: "--id=@q create QoS type=linux-htb -- set Port p1 qos=@q"}, step{line: "--all destroy QoS"},
			step{line: "--columns=type list QoS"})},
	}
}

// waitScenarios run with an ovs-vswitchd on each database and without
// --no-wait, so both tools wait for it: their exit statuses and stderr are
// compared as well. An interface ovs-vswitchd cannot set up is a warning
// on stderr with exit status 0.
func waitScenarios() []scenario {
	return []scenario{
		{"wait-missing-device", s(netdevBr, "add-port br0 nosuchdev", "list-ports br0")},
		{"wait-two-missing-devices", s(netdevBr, "add-port br0 nosuch2 -- add-port br0 nosuch3")},
		{"wait-internal-port", s(netdevBr, "add-port br0 p9 -- set Interface p9 type=internal", "get Interface p9 type")},
		{"wait-missing-then-fixed", s(netdevBr, "add-port br0 nosuchdev", "set Interface nosuchdev type=internal",
			"del-port br0 nosuchdev", "list-ports br0")},
		{"wait-bridge-and-failing-port", s(netdevBr+" -- add-port br0 gone0", "--if-exists del-br nosuch", "del-br br0", "list-br")},
		{"wait-duplicate-port", s(netdevBr, "add-port br0 p1 -- set Interface p1 type=internal", "add-port br0 p1")},
		{"wait-missing-bridge", s("add-port nosuch p1", "br-exists nosuch")},
	}
}

// netdevBr adds br0 on the userspace datapath (no kernel module here).
const netdevBr = "add-br br0 -- set Bridge br0 datapath_type=netdev"

func runRealVsctl(ctx context.Context, endpoint, line string, wait bool) (code int, stdout, stderr string) {
	args := []string{"--db=" + endpoint, "--timeout=20"}
	if !wait {
		args = append(args, "--no-wait")
	}
	return runTool(ctx, "ovs-vsctl", append(args, splitWords(line)...))
}

// runTool runs a program and returns its exit status and outputs (-1 when
// it could not run).
func runTool(ctx context.Context, name string, args []string) (code int, stdout, stderr string) {
	cmd := exec.CommandContext(ctx, name, args...)
	var errb strings.Builder
	cmd.Stderr = &errb
	out, err := cmd.Output()
	var ee *exec.ExitError
	switch {
	case errors.As(err, &ee):
		code = ee.ExitCode()
	case err != nil:
		return -1, err.Error(), errb.String()
	}
	return code, string(out), errb.String()
}

func runOvskit(ctx context.Context, c *ovsdb.Client, st step, wait bool) (code int, stdout, stderr string) {
	var noWait []string
	if !wait {
		noWait = []string{"--no-wait"}
	}
	if st.typed != nil {
		_, err := c.Transact(ctx, append([]ovsdb.Command{ovsdb.NoWait()}, st.typed...)...)
		if err != nil {
			return 1, err.Error(), ""
		}
		return 0, "", ""
	}
	var out, errb strings.Builder
	inv, err := vsctlTool.parse(append(noWait, splitWords(st.line)...))
	if err != nil {
		return report(progName, err, &errb), "", errb.String()
	}
	code = report(progName, inv.execute(ctx, c, &out, &errb), &errb)
	return code, out.String(), errb.String()
}

// TestDifferential runs every scenario through ovs-vsctl and through
// ovskit on two fresh ovsdb-servers and requires identical databases,
// outcomes and output after each step; on servers of each Open_vSwitch
// schema from the oldest ovskit supports (Open vSwitch 2.13.8's, the
// tutorial's) to the models' own (3.7.1's). The lines that differ only
// because the installed ovs-vsctl does not know a column (one newer than
// it, which ovskit's models and that version's ovs-vsctl know) are named
// and counted.
func TestDifferential(t *testing.T) {
	ovstest.Require(t, ovstest.NeedOVSDB) // ovsdb-server, ovsdb-client and ovs-vsctl
	type run struct {
		scenario
		vswitchd bool
	}
	var all []run
	for _, sc := range scenarios() {
		all = append(all, run{sc, false})
	}
	for _, sc := range formatScenarios() {
		all = append(all, run{sc, false})
	}
	for _, sc := range versionScenarios() {
		all = append(all, run{sc, false})
	}
	for _, sc := range waitScenarios() {
		all = append(all, run{sc, true})
	}
	versions := schemaVersions(t, "../../vswitchdb/vswitch.ovsschema", installedVswitchSchema, vswitchSchemas...)
	checkSupportedRange(t, versions, vswitchdb.OldestServerVersion, vswitchdb.SchemaVersion)
	var total, totalIdentical atomic.Int32
	for _, v := range versions {
		var ran, identical, stderrs, sameStderr atomic.Int32
		var named namedDiffs
		t.Run("schema-"+v.version, func(t *testing.T) {
			for _, sc := range all {
				t.Run(sc.name, func(t *testing.T) {
					t.Parallel()
					ran.Add(1)
					ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
					defer cancel()
					refOpts, ourOpts := []ovstest.Option{ovstest.WithoutClient(), ovstest.WithSchema(v.path)}, []ovstest.Option{ovstest.WithSchema(v.path)}
					if sc.vswitchd {
						refOpts, ourOpts = append(refOpts, ovstest.WithVSwitchd()), append(ourOpts, ovstest.WithVSwitchd())
					}
					ref := ovstest.NewServer(t, refOpts...)
					ours := ovstest.NewServer(t, ourOpts...)
					for i, st := range sc.steps {
						where := fmt.Sprintf("schema %s, step %d %q", v.version, i+1, st.line)
						rc, rout, rerr := runRealVsctl(ctx, ref.Endpoint, st.line, sc.vswitchd)
						rerr = dropUpgradeWarnings(rerr)
						oc, oout, oerr := runOvskit(ctx, ours.Client, st, sc.vswitchd)
						if v.toolLacksColumn(st.line, rc, rerr, oc) {
							// Do on the reference what ovs-vsctl of the
							// column's version would have done: ovskit's.
							named.add("%s/%s step %d %q: ovs-vsctl does not know the column (%s)", v.version, sc.name, i+1, st.line, strings.TrimSpace(rerr))
							refClient, err := ovsdb.Dial(ctx, ref.Endpoint, ovsdb.WithDatabase(vswitchdb.Database()))
							if err != nil {
								t.Fatal(err)
							}
							rc, rout, rerr = runOvskit(ctx, refClient, st, sc.vswitchd)
							refClient.Close()
						}
						rd, err := dump(ref.Endpoint, sc.vswitchd)
						if err != nil {
							t.Fatal(err)
						}
						od, err := dump(ours.Endpoint, sc.vswitchd)
						if err != nil {
							t.Fatal(err)
						}
						// Both succeed or both fail; br-exists's status 2 must match.
						if (rc == 0) != (oc == 0) || (rc == 2) != (oc == 2) {
							t.Fatalf("%s: ovs-vsctl exit %d (%s%s), ovskit exit %d (%s%s)", where, rc, strings.TrimSpace(rout), rerr, oc, strings.TrimSpace(oout), oerr)
						}
						if rc != 0 && oc != 0 {
							stderrs.Add(1)
							if a, b := strings.TrimSpace(strings.ReplaceAll(rerr, "ovs-vsctl: ", progName+": ")), strings.TrimSpace(oerr); a != b {
								t.Logf("%s: stderr differs:\n  ovs-vsctl: %s\n  ovskit:    %s", where, a, b)
							} else {
								sameStderr.Add(1)
							}
						}
						if sc.vswitchd {
							if rc != oc {
								t.Fatalf("%s: ovs-vsctl exit %d, ovskit exit %d", where, rc, oc)
							}
							// ovs-vsctl's messages, with the program's name.
							if a, b := strings.ReplaceAll(rerr, "ovs-vsctl: ", progName+": "), oerr; (rc == 0 || strings.Contains(a, "Error detected")) && a != b {
								t.Fatalf("%s: stderr differs:\novs-vsctl:\n%s\novskit:\n%s", where, a, b)
							}
						}
						if a, b := rd.String(), od.String(); a != b {
							t.Fatalf("%s: databases differ (- ovs-vsctl, + ovskit):\n%s", where, diffLines(a, b))
						}
						if rc == 0 && st.typed == nil {
							oout, dropped := v.dropNewer(oout, st.line)
							if dropped > 0 {
								named.add("%s/%s step %d %q: %d lines of columns ovs-vsctl does not know", v.version, sc.name, i+1, st.line, dropped)
							}
							a := normalizeOutput(rout, rd.labels, st.unordered)
							b := normalizeOutput(oout, od.labels, st.unordered)
							if a != b {
								t.Fatalf("%s: output differs:\novs-vsctl:\n%s\novskit:\n%s", where, a, b)
							}
						}
					}
					identical.Add(1)
				})
			}
		})
		named.report(t, "differential", "ovs-vsctl", v, int64(stderrs.Load()), int64(sameStderr.Load()), int64(ran.Load()), int64(identical.Load()))
		total.Add(ran.Load())
		totalIdentical.Add(identical.Load())
	}
	fmt.Printf("differential: %d scenarios, %d identical\n", total.Load(), totalIdentical.Load())
	if len(all) < 130 {
		t.Errorf("only %d scenarios; the suite must keep at least 60", len(all))
	}
}

// installedVswitchSchema is the schema of the installed ovs-vsctl (the
// Debian package installs it with the tool).
const installedVswitchSchema = "/usr/share/openvswitch/vswitch.ovsschema"

// vswitchSchemas are the Open_vSwitch schemas the suite runs on, oldest
// first (testdata/schemas names each one's tag).
var vswitchSchemas = []string{
	"vswitch-2.13.8.ovsschema",
	"vswitch-2.17.9.ovsschema",
	"vswitch-3.1.0.ovsschema",
	"vswitch-3.3.0.ovsschema",
	"vswitch-3.7.1.ovsschema",
}

// checkSupportedRange: the suite's versions span the range ovskit states
// it supports (oldest to the models' own), so the statement is proven.
func checkSupportedRange(t *testing.T, versions []schemaVersion, oldest, newest string) {
	t.Helper()
	if len(versions) == 0 || versions[0].version != oldest || versions[len(versions)-1].version != newest {
		var got []string
		for _, v := range versions {
			got = append(got, v.version)
		}
		t.Fatalf("the suite runs on schemas %v; the stated range is %s to %s", got, oldest, newest)
	}
}

// versionScenarios write and read the columns that differ between the
// schema versions: on an older server ovskit refuses the write before
// sending it (ovs-vsctl sends it and the server refuses), leaving the same
// database; reads of a missing column show its default.
func versionScenarios() []scenario {
	return []scenario{
		// Open vSwitch 2.17's packet-rate policing.
		{"version-kpkts-policing", s("add-br br0", "add-port br0 p1",
			"set Interface p1 ingress_policing_kpkts_rate=100 ingress_policing_kpkts_burst=10",
			"get Interface p1 ingress_policing_kpkts_rate ingress_policing_kpkts_burst", "list Interface p1",
			"set Interface p1 ingress_policing_rate=5", "get Interface p1 ingress_policing_rate")},
		{"version-kpkts-policing-default", s("add-br br0", "add-port br0 p1",
			"set Interface p1 ingress_policing_kpkts_rate=0", "find Interface name=p1")},
		// Open vSwitch 3.3's conntrack zone limits.
		{"version-ct-zone-limit", s("add-br br0",
			"-- --id=@z create CT_Zone limit=1000 -- --id=@d create Datapath ct_zone_default_limit=50 ct_zones={5=@z} -- set Open_vSwitch . datapaths:netdev=@d",
			"list Datapath", "list CT_Zone")},
		{"version-datapath-plain", s("-- --id=@d create Datapath -- set Open_vSwitch . datapaths:netdev=@d", "list Datapath")},
		// Open vSwitch 3.3's IPFIX intervals.
		{"version-ipfix-intervals", s("add-br br0",
			`-- --id=@i create IPFIX 'targets="192.0.2.1:4739"' stats_interval=30 template_interval=60 -- set Bridge br0 ipfix=@i`,
			"list IPFIX")},
		// Open vSwitch 3.7's mirror filter.
		{"version-mirror-filter", s("add-br br0", "add-port br0 p1",
			"-- --id=@p get Port p1 -- --id=@m create Mirror name=m0 select_all=true output_port=@p -- add Bridge br0 mirrors @m",
			"set Mirror m0 'filter=\"tcp\"'", "get Mirror m0 filter", "list Mirror")},
	}
}
