// Package openflow is ovs-ofctl as a Go library: it speaks OpenFlow 1.0,
// 1.3, 1.4 and 1.5 with Open vSwitch's Nicira extensions to a bridge (its
// <rundir>/<bridge>.mgmt socket, or any unix:, tcp: or ssl: endpoint), and
// reads and writes flows in ovs-ofctl's text syntax both ways.
//
// Dial offers 1.3, 1.4 and 1.5 (WithVersions names others, OpenFlow10
// included) and keeps the highest the switch offers too (Conn.Version),
// as ovs-ofctl does with -O. OpenFlow 1.0 is spoken as ovs-ofctl speaks
// it by default: flows go as Nicira's flow mods with NXM matches, dumps as
// Nicira's flow statistics, groups as Nicira's group messages, and 1.0's
// own set actions print as it prints them (mod_vlan_vid, mod_dl_src,
// strip_vlan, enqueue); WithFlowFormat(FormatOpenFlow10) uses 1.0's own
// match instead. Flow.Formats says which flow formats can carry a flow;
// one the connection's cannot is refused before it is sent (a
// *FormatError). What differs between later versions is this package's
// business: OpenFlow 1.4's bundle messages, port descriptions and
// statistics with properties, and flow importance; OpenFlow 1.5's flow
// statistics (OXS, with the idle age), group buckets with ids and
// properties, packet-out with a match, meters as actions, and loads and
// moves as masked set_field and copy_field, which dump as ovs-ofctl -O
// OpenFlow15 prints them.
//
// The encoder is this package's own. The Go OpenFlow libraries that exist
// either are not available from the module proxy here
// (antrea.io/libOpenflow) or speak OpenFlow 1.3 without the Nicira
// actions and fields OVS needs and parse none of ovs-ofctl's syntax
// (github.com/contiv/libOpenflow, unmaintained since 2021); the wire
// formats a flow needs (OXM and NXM match fields, OpenFlow's
// instructions and actions, Nicira's experimenter actions) are small
// enough to own exactly.
//
// A Flow is a value: ParseFlow reads ovs-ofctl's syntax
// ("table=0,priority=100,in_port=1,dl_vlan=10,actions=strip_vlan,output:2")
// and Flow.String prints what `ovs-ofctl -O VERSION dump-flows
// --no-stats` prints for the flow the switch holds, in the connection's
// version. Bad syntax is a
// *SyntaxError (matching ErrSyntax) before anything is sent; what the
// switch refuses is an *OFError with the error's name
// (OFPBAC_BAD_OUT_PORT, ...).
//
// A Conn (Dial) adds, modifies, deletes and dumps flows with ovs-ofctl's
// semantics (AddFlows, ModFlows, DelFlows, DumpFlows, Barrier), each
// bounded by its context. SortFlows orders a dump as dump-flows --sort
// does; PortNames prints and parses ports by name, as --names does.
// FlushConntrack, AddTLVMaps (with tun_metadata0-63 in matches),
// DialSnoop, ReadMessage and ParseNXMatch are ovs-ofctl's ct-flush,
// add-tlv-map, snoop, ofp-parse and parse-nxm.
package openflow
