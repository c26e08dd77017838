// Command variants runs the labs beyond the tutorial in order (lab 2 with
// patch ports, lab 3 with dnsmasq, lab 4 over VXLAN and over Geneve, a VLAN
// trunk) and prints
// every report and a summary; `make labs-variants` runs it.
//
//	sudo go run ./examples/variants [-keep] [-prefix P] [-v]
//	sudo go run ./examples/variants cleanup
package main

import (
	"github.com/ovskit/ovskit/examples/labs"
	"github.com/ovskit/ovskit/sim"
)

func main() { sim.Main(labs.Variants()...) }
