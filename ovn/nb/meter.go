package nb

import (
	"cmp"
	"slices"
	"strings"

	"github.com/ovskit/ovskit/ovn/nbdb"
	"github.com/ovskit/ovskit/ovsdb"
)

// Meter is a named meter that ACL logging and control-plane protection
// use to limit a rate.
type Meter struct {
	Name string
	// Unit is "kbps" or "pktps".
	Unit string
	// Fair shares the rate among the meter's users (nil: not set).
	Fair *bool
	// Bands: AddMeter takes one.
	Bands []MeterBand
}

// MeterBand is a band of a meter: what exceeding Rate does.
type MeterBand struct {
	// Action is "drop".
	Action string
	// Rate is 1 to 4294967295, in the meter's unit.
	Rate int64
	// Burst is 0 to 4294967295 (kb or packets).
	Burst int64
}

// AddMeter adds a meter with one band; a meter of the same name is an
// error (ErrExists) unless MayExist (then it is updated). Names beginning
// with "__" are reserved.
// Equivalent to: ovn-nbctl [--may-exist] [--fair] meter-add NAME ACTION RATE UNIT [BURST]
func AddMeter(m Meter, options ...Option) ovsdb.Command {
	return ovsdb.CommandFunc(func(tx *ovsdb.Tx) error {
		o, err := build(options)
		if err != nil {
			return err
		}
		all, err := ovsdb.List[nbdb.Meter](tx)
		if err != nil {
			return err
		}
		var meter *nbdb.Meter
		for _, old := range all {
			if old.Name == m.Name {
				if !o.mayExist {
					return errorf(ovsdb.ErrExists, "meter with name \"%s\" already exists", m.Name)
				}
				meter = old
				break
			}
		}
		if strings.HasPrefix(m.Name, "__") {
			return errorf(ovsdb.ErrInvalid, "meter names that begin with \"__\" are reserved")
		}
		if len(m.Bands) != 1 {
			return errorf(ovsdb.ErrInvalid, "a meter is added with one band, not %d", len(m.Bands))
		}
		b := m.Bands[0]
		if b.Action != "drop" {
			return errorf(ovsdb.ErrInvalid, "action must be \"drop\"")
		}
		if b.Rate < 1 || b.Rate > 4294967295 {
			return errorf(ovsdb.ErrInvalid, "rate must be in the range 1...4294967295")
		}
		if m.Unit != string(nbdb.MeterUnitKbps) && m.Unit != string(nbdb.MeterUnitPktps) {
			return errorf(ovsdb.ErrInvalid, "unit must be \"kbps\" or \"pktps\"")
		}
		if b.Burst < 0 || b.Burst > 4294967295 {
			return errorf(ovsdb.ErrInvalid, "burst must be in the range 0...4294967295")
		}
		band := &nbdb.MeterBand{Action: nbdb.MeterBandAction(b.Action), Rate: int(b.Rate), BurstSize: int(b.Burst)}
		var bandUUID string
		if meter != nil && len(meter.Bands) > 0 {
			old, err := ovsdb.Get[nbdb.MeterBand](tx, meter.Bands[0])
			if err != nil {
				return err
			}
			old.Action, old.Rate, old.BurstSize = band.Action, band.Rate, band.BurstSize
			if err := tx.Update(old, "action", "rate", "burst_size"); err != nil {
				return err
			}
			bandUUID = old.UUID
		} else if bandUUID, err = tx.Insert(band); err != nil {
			return err
		}
		if meter == nil {
			// No meter of the name: the commit verifies there still is
			// none.
			if err := tx.VerifyNone(nbdb.TableMeter, "name", m.Name); err != nil {
				return err
			}
			row := &nbdb.Meter{Name: m.Name, Unit: nbdb.MeterUnit(m.Unit), Bands: []string{bandUUID}, Fair: m.Fair}
			_, err := tx.Insert(row)
			return err
		}
		meter.Unit, meter.Bands = nbdb.MeterUnit(m.Unit), []string{bandUUID}
		cols := []string{"unit", "bands"}
		if m.Fair != nil {
			meter.Fair = m.Fair
			cols = append(cols, "fair")
		}
		return tx.Update(meter, cols...)
	})
}

// DeleteMeter deletes the meter of a name; none is not an error.
// Equivalent to: ovn-nbctl meter-del NAME
func DeleteMeter(name string) ovsdb.Command { return deleteMeters(&name) }

// DeleteAllMeters deletes every meter.
// Equivalent to: ovn-nbctl meter-del
func DeleteAllMeters() ovsdb.Command { return deleteMeters(nil) }

func deleteMeters(name *string) ovsdb.Command {
	return ovsdb.CommandFunc(func(tx *ovsdb.Tx) error {
		return deleteRowsNamed(tx, name, func(m *nbdb.Meter) string { return m.Name })
	})
}

// Meters returns the meters, by name.
// Equivalent to: ovn-nbctl meter-list
func Meters(tx *ovsdb.Tx) ([]Meter, error) {
	all, err := ovsdb.List[nbdb.Meter](tx)
	if err != nil {
		return nil, err
	}
	slices.SortStableFunc(all, func(a, b *nbdb.Meter) int { return cmp.Compare(a.Name, b.Name) })
	out := make([]Meter, 0, len(all))
	for _, m := range all {
		bands, err := m.BandsRows(tx)
		if err != nil {
			return nil, err
		}
		mm := Meter{Name: m.Name, Unit: string(m.Unit), Fair: m.Fair}
		for _, b := range bands {
			mm.Bands = append(mm.Bands, MeterBand{Action: string(b.Action), Rate: int64(b.Rate), Burst: int64(b.BurstSize)})
		}
		out = append(out, mm)
	}
	return out, nil
}
