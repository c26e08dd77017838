module github.com/ovskit/ovskit

go 1.24

require (
	github.com/google/go-cmp v0.7.0
	github.com/ovn-kubernetes/libovsdb v0.8.1
	github.com/stretchr/testify v1.11.1
)

require (
	github.com/davecgh/go-spew v1.1.1 // indirect
	github.com/pmezard/go-difflib v1.0.0 // indirect
	gopkg.in/yaml.v3 v3.0.1 // indirect
)
