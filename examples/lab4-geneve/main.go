// Command lab4-geneve runs a lab beyond the tutorial (see examples/labs):
// lab 4 over Geneve instead of GRE (the capture looks for UDP 6081).
//
//	sudo go run ./examples/lab4-geneve [-keep] [-prefix P] [-v]
//	sudo go run ./examples/lab4-geneve cleanup
package main

import (
	"github.com/ovskit/ovskit/examples/labs"
	"github.com/ovskit/ovskit/sim"
)

func main() { sim.Main(labs.Lab4Geneve) }
