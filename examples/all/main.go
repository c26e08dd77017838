// Command all runs the six labs of the tutorial in order, each from
// nothing, and prints every report and a summary; `make labs` runs it.
// examples/variants runs the labs beyond the tutorial.
//
//	sudo go run ./examples/all [-keep] [-prefix P] [-v]
//	sudo go run ./examples/all cleanup
package main

import (
	"github.com/ovskit/ovskit/examples/labs"
	"github.com/ovskit/ovskit/sim"
)

func main() { sim.Main(labs.All()...) }
