// Command lab6 runs lab 6 of the tutorial on this machine, with
// namespaces and private Open vSwitch instances, checks it with real
// packets and tears it down (see examples/labs and ../shared/LABS.md).
//
//	sudo go run ./examples/lab6 [-keep] [-prefix P] [-v]
//	sudo go run ./examples/lab6 cleanup
package main

import (
	"github.com/ovskit/ovskit/examples/labs"
	"github.com/ovskit/ovskit/sim"
)

func main() { sim.Main(labs.Lab6) }
