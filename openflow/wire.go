package openflow

// The wire codes of OpenFlow's actions and instructions and of Open
// vSwitch's Nicira actions, named once here for the encoders and the
// decoders.

// OpenFlow action types (OpenFlow 1.3; copy_field and meter are 1.5's).
const (
	ofpatOutput       = 0
	ofpatSetMPLSTTL   = 15
	ofpatDecMPLSTTL   = 16
	ofpatPushVLAN     = 17
	ofpatPopVLAN      = 18
	ofpatPushMPLS     = 19
	ofpatPopMPLS      = 20
	ofpatSetQueue     = 21
	ofpatGroup        = 22
	ofpatSetNwTTL     = 23
	ofpatDecNwTTL     = 24
	ofpatSetField     = 25
	ofpatCopyField    = 28
	ofpatMeter        = 29
	ofpatExperimenter = 0xffff
)

// OpenFlow instruction types.
const (
	ofpitGotoTable     = 1
	ofpitWriteMetadata = 2
	ofpitWriteActions  = 3
	ofpitApplyActions  = 4
	ofpitClearActions  = 5
	ofpitMeter         = 6
)

// Nicira action subtypes (experimenter 0x00002320).
const (
	nxastResubmit        = 1
	nxastSetTunnel       = 2
	nxastSetQueue        = 4
	nxastPopQueue        = 5
	nxastRegMove         = 6
	nxastRegLoad         = 7
	nxastNote            = 8
	nxastSetTunnel64     = 9
	nxastMultipath       = 10
	nxastBundle          = 12
	nxastBundleLoad      = 13
	nxastResubmitTable   = 14
	nxastOutputReg       = 15
	nxastLearn           = 16
	nxastExit            = 17
	nxastDecTTL          = 18
	nxastFinTimeout      = 19
	nxastController      = 20
	nxastDecTTLCntIDs    = 21
	nxastWriteMetadata   = 22
	nxastPushMPLS        = 23
	nxastPopMPLS         = 24
	nxastSetMPLSTTL      = 25
	nxastSetMPLSLabel    = 30
	nxastSetMPLSTC       = 31
	nxastDecMPLSTTL      = 26
	nxastStackPush       = 27
	nxastStackPop        = 28
	nxastSample          = 29
	nxastConjunction     = 34
	nxastCT              = 35
	nxastNAT             = 36
	nxastController2     = 37
	nxastSample2         = 38
	nxastOutputTrunc     = 39
	nxastSample3         = 41
	nxastClone           = 42
	nxastCTClear         = 43
	nxastResubmitTableCT = 44
	nxastLearn2          = 45
	nxastEncap           = 46
	nxastDecap           = 47
	nxastDecNSHTTL       = 48
	nxastGroup           = 40
	nxastCheckPktLarger  = 49
	nxastDeleteField     = 50
)

// onfetCopyField is the ONF's copy_field experimenter action of OpenFlow
// 1.3 (a move written at 1.5 and dumped at 1.3).
const onfetCopyField = 3200
