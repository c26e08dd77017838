package openflow

// DefaultPriority is a flow's priority when none is given (0x8000).
const DefaultPriority = 0x8000
