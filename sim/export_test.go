package sim

// RunMain is Main without os.Exit, for the tests.
var RunMain = main
