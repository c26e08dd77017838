module github.com/ovskit/ovskit

go 1.24

require (
	github.com/google/go-cmp v0.7.0 // indirect
	github.com/ovn-kubernetes/libovsdb v0.8.1 // indirect
	github.com/stretchr/testify v1.11.1 // indirect
)
