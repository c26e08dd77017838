package vsctl

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/ovskit/ovskit/ovsdb"
	"github.com/ovskit/ovskit/vswitchdb"
)

// EmerReset is ovs-vsctl emer-reset: the configuration that can cut a
// switch off (controllers, managers, SSL, mirrors, NetFlow, sFlow, IPFIX,
// flood VLANs, other_config but a bridge's hwaddr, policing) cleared.
func EmerReset(tx *ovsdb.Tx) error {
	root, err := Root(tx)
	if err != nil {
		return err
	}
	root.ManagerOptions, root.SSL = nil, nil
	if err := tx.Update(root, "manager_options", "ssl"); err != nil {
		return err
	}
	bridges, err := ovsdb.List[vswitchdb.Bridge](tx)
	if err != nil {
		return err
	}
	for _, br := range bridges {
		hw, ok := br.OtherConfig["hwaddr"]
		br.OtherConfig = nil
		if ok {
			br.OtherConfig = map[string]string{"hwaddr": hw}
		}
		br.Controller, br.FailMode, br.Mirrors, br.NetFlow, br.SFlow, br.IPFIX, br.FloodVLANs = nil, nil, nil, nil, nil, nil, nil
		if err := tx.Update(br, "controller", "fail_mode", "mirrors", "netflow", "sflow", "ipfix", "flood_vlans", "other_config"); err != nil {
			return err
		}
	}
	ports, err := ovsdb.List[vswitchdb.Port](tx)
	if err != nil {
		return err
	}
	for _, p := range ports {
		p.OtherConfig = nil
		if err := tx.Update(p, "other_config"); err != nil {
			return err
		}
	}
	ifaces, err := ovsdb.List[vswitchdb.Interface](tx)
	if err != nil {
		return err
	}
	for _, i := range ifaces {
		i.IngressPolicingRate, i.IngressPolicingBurst = 0, 0
		if err := tx.Update(i, "ingress_policing_rate", "ingress_policing_burst"); err != nil {
			return err
		}
	}
	for _, table := range []string{vswitchdb.TableMirror, vswitchdb.TableController, vswitchdb.TableManager, vswitchdb.TableNetFlow,
		vswitchdb.TableSSL, vswitchdb.TableSFlow, vswitchdb.TableIPFIX, vswitchdb.TableFlowSampleCollectorSet} {
		if err := deleteAll(tx, table); err != nil {
			return err
		}
	}
	return nil
}

// deleteAll deletes every row of a table.
func deleteAll(tx *ovsdb.Tx, table string) error {
	rows, err := tx.Rows(table)
	if err != nil {
		return err
	}
	for _, r := range rows {
		if err := tx.Delete(r); err != nil {
			return err
		}
	}
	return nil
}

// datapath returns the Datapath row named dp in Open_vSwitch.datapaths.
func datapath(tx *ovsdb.Tx, dp string, notFound string) (*vswitchdb.Datapath, error) {
	root, err := Root(tx)
	if err != nil {
		return nil, err
	}
	if err := tx.Verify(root, "datapaths"); err != nil {
		return nil, err
	}
	u, ok := root.Datapaths[dp]
	if !ok {
		return nil, fmt.Errorf(notFound, dp, ovsdb.ErrNotFound)
	}
	return ovsdb.Get[vswitchdb.Datapath](tx, u)
}

// parseZone reads "zone=N" as ovs-vsctl's scanf("zone=%i") does (a
// leading integer, decimal, 0x hex or 0 octal, trailing text ignored),
// but refuses an argument with no number, which ovs-vsctl 3.1 turns into
// an arbitrary zone.
func parseZone(arg string) (int, error) {
	v, ok := strings.CutPrefix(arg, "zone=")
	end := 0
	if end < len(v) && (v[end] == '-' || v[end] == '+') {
		end++
	}
	digits := "0123456789"
	if strings.HasPrefix(v[end:], "0x") || strings.HasPrefix(v[end:], "0X") {
		end += 2
		digits += "abcdefABCDEF"
	}
	for end < len(v) && strings.IndexByte(digits, v[end]) >= 0 {
		end++
	}
	n, err := strconv.ParseInt(v[:end], 0, 64)
	if !ok || err != nil {
		return 0, fmt.Errorf("invalid zone argument, %s: %w", arg, ovsdb.ErrInvalid)
	}
	return int(n), nil
}

// AddZoneTP is ovs-vsctl [--may-exist] add-zone-tp DP zone=N KEY=SECS...:
// a timeout policy (an existing one with the same timeouts, or a new one)
// for a conntrack zone of a datapath.
func AddZoneTP(tx *ovsdb.Tx, dp, zoneArg string, policies []string, mayExist bool) error {
	zone, err := parseZone(zoneArg)
	if err != nil {
		return err
	}
	timeouts := map[vswitchdb.CTTimeoutPolicyTimeouts]int{}
	for _, p := range policies {
		k, v, ok := strings.Cut(p, "=")
		n, err := strconv.Atoi(v)
		if !ok || err != nil || n < 0 {
			return fmt.Errorf("invalid timeout policy %s: want KEY=SECONDS: %w", p, ovsdb.ErrInvalid)
		}
		timeouts[vswitchdb.CTTimeoutPolicyTimeouts(k)] = n
	}
	d, err := datapath(tx, dp, "datapath %s does not exist: %w")
	if err != nil {
		return err
	}
	if len(policies) == 0 {
		//lint:ignore ST1005 ovs-vsctl's words, which scripts may match
		return fmt.Errorf("No timeout policy: %w", ovsdb.ErrInvalid)
	}
	if err := tx.Verify(d, "ct_zones"); err != nil {
		return err
	}
	var ct *vswitchdb.CTZone
	if u, ok := d.CTZones[zone]; ok {
		if ct, err = ovsdb.Get[vswitchdb.CTZone](tx, u); err != nil {
			return err
		}
		if err := tx.Verify(ct, "timeout_policy"); err != nil {
			return err
		}
		if ct.TimeoutPolicy != nil && !mayExist {
			return fmt.Errorf("zone id %d already exists: %w", zone, ovsdb.ErrExists)
		}
	}
	// Reuse a policy with the same timeouts, as ovs-vsctl does.
	tps, err := ovsdb.List[vswitchdb.CTTimeoutPolicy](tx)
	if err != nil {
		return err
	}
	var tp string
	for _, t := range tps {
		if maps.Equal(t.Timeouts, timeouts) {
			tp = t.UUID
			break
		}
	}
	if tp == "" {
		row := &vswitchdb.CTTimeoutPolicy{Timeouts: timeouts}
		if tp, err = tx.Insert(row); err != nil {
			return err
		}
	}
	if ct != nil {
		ct.TimeoutPolicy = &tp
		return tx.Update(ct, "timeout_policy")
	}
	ct = &vswitchdb.CTZone{TimeoutPolicy: &tp}
	u, err := tx.Insert(ct)
	if err != nil {
		return err
	}
	return tx.Mutate(d, ovsdb.Delete("ct_zones", []int{zone}), ovsdb.Insert("ct_zones", map[int]string{zone: u}))
}

// DelZoneTP is ovs-vsctl [--if-exists] del-zone-tp DP zone=N.
func DelZoneTP(tx *ovsdb.Tx, dp, zoneArg string, ifExists bool) error {
	zone, err := parseZone(zoneArg)
	if err != nil {
		return err
	}
	d, err := datapath(tx, dp, "datapath %s does not exist: %w")
	if err != nil {
		return err
	}
	if err := tx.Verify(d, "ct_zones"); err != nil {
		return err
	}
	u, ok := d.CTZones[zone]
	if !ok {
		if ifExists {
			return nil
		}
		return fmt.Errorf("zone id %d does not exist: %w", zone, ovsdb.ErrNotFound)
	}
	if !ifExists {
		ct, err := ovsdb.Get[vswitchdb.CTZone](tx, u)
		if err != nil {
			return err
		}
		if err := tx.Verify(ct, "timeout_policy"); err != nil {
			return err
		}
		if ct.TimeoutPolicy == nil {
			return fmt.Errorf("zone id %d does not have a policy: %w", zone, ovsdb.ErrNotFound)
		}
	}
	return tx.Mutate(d, ovsdb.Delete("ct_zones", []int{zone}))
}

// ListZoneTP is ovs-vsctl list-zone-tp DP: a line per zone,
// "Zone:N, Timeout Policies: KEY=SECS ..." or "system default".
func ListZoneTP(tx *ovsdb.Tx, dp string) ([]string, error) {
	d, err := datapath(tx, dp, "datapath: %s record not found: %w")
	if err != nil {
		return nil, err
	}
	if err := tx.Verify(d, "ct_zones"); err != nil {
		return nil, err
	}
	var out []string
	for _, zone := range slices.Sorted(maps.Keys(d.CTZones)) {
		ct, err := ovsdb.Get[vswitchdb.CTZone](tx, d.CTZones[zone])
		if err != nil {
			return nil, err
		}
		line := fmt.Sprintf("Zone:%d, Timeout Policies: ", zone)
		if ct.TimeoutPolicy == nil {
			line += "system default"
		} else {
			tp, err := ovsdb.Get[vswitchdb.CTTimeoutPolicy](tx, *ct.TimeoutPolicy)
			if err != nil {
				return nil, err
			}
			var parts []string
			for _, k := range slices.Sorted(maps.Keys(tp.Timeouts)) {
				parts = append(parts, fmt.Sprintf("%s=%d", k, tp.Timeouts[k]))
			}
			line += strings.Join(parts, " ")
		}
		out = append(out, line)
	}
	return out, nil
}

// parseAAArgs reads an Auto Attach mapping's I-SID and VLAN arguments.
func parseAAArgs(isidArg, vlanArg string) (isid, vlan int, err error) {
	if isid, err = parseAA(isidArg); err != nil {
		return 0, 0, err
	}
	vlan, err = parseAA(vlanArg)
	return isid, vlan, err
}

// parseAA reads an Auto Attach I-SID or VLAN as ovs-vsctl does (strtoull:
// leading digits).
func parseAA(s string) (int, error) {
	end := 0
	for end < len(s) && s[end] >= '0' && s[end] <= '9' {
		end++
	}
	n, err := strconv.ParseInt(s[:end], 10, 64)
	if err != nil {
		//lint:ignore ST1005 ovs-vsctl's words, which scripts may match
		return 0, fmt.Errorf("Invalid argument %s: %w", s, ovsdb.ErrInvalid)
	}
	return int(n), nil
}

// aaBridge returns the real bridge row an Auto Attach command acts on.
func aaBridge(tx *ovsdb.Tx, name string) (*vswitchdb.Bridge, error) {
	_, br, err := loadBridge(tx, name, true, false)
	if err != nil {
		return nil, err
	}
	return br.Real().Row, nil
}

// AddAAMapping is ovs-vsctl add-aa-mapping BRIDGE I-SID VLAN. An I-SID
// that is mapped already keeps its mapping.
func AddAAMapping(tx *ovsdb.Tx, bridge, isidArg, vlanArg string) error {
	isid, vlan, err := parseAAArgs(isidArg, vlanArg)
	if err != nil {
		return err
	}
	br, err := aaBridge(tx, bridge)
	if err != nil {
		return err
	}
	if err := tx.Verify(br, "auto_attach"); err != nil {
		return err
	}
	if br.AutoAttach == nil {
		u, err := tx.Insert(&vswitchdb.AutoAttach{Mappings: map[int]int{isid: vlan}})
		if err != nil {
			return err
		}
		br.AutoAttach = &u
		return tx.Update(br, "auto_attach")
	}
	// A map insert: an I-SID that is mapped already keeps its VLAN, as in
	// ovs-vsctl.
	aa := &vswitchdb.AutoAttach{UUID: *br.AutoAttach}
	return tx.Mutate(aa, ovsdb.Insert("mappings", map[int]int{isid: vlan}))
}

// DelAAMapping is ovs-vsctl del-aa-mapping BRIDGE I-SID VLAN: the mapping
// is removed if it maps I-SID to VLAN.
func DelAAMapping(tx *ovsdb.Tx, bridge, isidArg, vlanArg string) error {
	isid, vlan, err := parseAAArgs(isidArg, vlanArg)
	if err != nil {
		return err
	}
	br, err := aaBridge(tx, bridge)
	if err != nil || br.AutoAttach == nil {
		return err
	}
	aa, err := ovsdb.Get[vswitchdb.AutoAttach](tx, *br.AutoAttach)
	if err != nil {
		return err
	}
	if err := tx.Verify(aa, "mappings"); err != nil {
		return err
	}
	if v, ok := aa.Mappings[isid]; ok && v == vlan {
		return tx.Mutate(aa, ovsdb.Delete("mappings", []int{isid}))
	}
	return nil
}

// GetAAMapping is ovs-vsctl get-aa-mapping BRIDGE: "I-SID VLAN" lines.
func GetAAMapping(tx *ovsdb.Tx, bridge string) ([]string, error) {
	br, err := aaBridge(tx, bridge)
	if err != nil {
		return nil, err
	}
	if err := tx.Verify(br, "auto_attach"); err != nil {
		return nil, err
	}
	if br.AutoAttach == nil {
		return nil, nil
	}
	aa, err := ovsdb.Get[vswitchdb.AutoAttach](tx, *br.AutoAttach)
	if errors.Is(err, ovsdb.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var out []string
	for _, k := range slices.Sorted(maps.Keys(aa.Mappings)) {
		out = append(out, fmt.Sprintf("%d %d", k, aa.Mappings[k]))
	}
	return out, nil
}

// ListDPCap is ovs-vsctl list-dp-cap DP: the datapath's capabilities
// (its Datapath row's capabilities column).
func ListDPCap(tx *ovsdb.Tx, dp string) (map[string]string, error) {
	d, err := datapath(tx, dp, "datapath \"%s\" record not found: %w")
	if err != nil {
		return nil, err
	}
	if err := tx.Verify(d, "capabilities"); err != nil {
		return nil, err
	}
	return d.Capabilities, nil
}
