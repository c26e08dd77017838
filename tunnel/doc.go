// Package tunnel creates tunnel ports (GRE, VXLAN, Geneve, STT, ERSPAN,
// IPsec GRE) in one call, with typed, validated options: remote and local
// IP as an address or "flow", keys as a number of the right width or
// "flow", UDP destination port, TOS and TTL, checksum and DF flags, ERSPAN
// and IPsec settings. Options.Map returns the Interface options column.
package tunnel
