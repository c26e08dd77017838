// Command lab3-dnsmasq runs a lab beyond the tutorial (see examples/labs):
// lab 3 with the tutorial's own DHCP server, dnsmasq, run in r0 by
// dhcp.StartDnsmasq (needs dnsmasq-base).
//
//	sudo go run ./examples/lab3-dnsmasq [-keep] [-prefix P] [-v]
//	sudo go run ./examples/lab3-dnsmasq cleanup
package main

import (
	"github.com/ovskit/ovskit/examples/labs"
	"github.com/ovskit/ovskit/sim"
)

func main() { sim.Main(labs.Lab3Dnsmasq) }
