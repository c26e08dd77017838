// Command lab4-vxlan runs a lab beyond the tutorial (see examples/labs):
// lab 4 over VXLAN instead of GRE (the capture looks for UDP 4789).
//
//	sudo go run ./examples/lab4-vxlan [-keep] [-prefix P] [-v]
//	sudo go run ./examples/lab4-vxlan cleanup
package main

import (
	"github.com/ovskit/ovskit/examples/labs"
	"github.com/ovskit/ovskit/sim"
)

func main() { sim.Main(labs.Lab4VXLAN) }
