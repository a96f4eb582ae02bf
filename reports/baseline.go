package reports

// CompareBaseline compares current with an earlier record (read with ReadJSON
// from file) and records the outcome in current: every failing conformance check
// whose ID also failed in the baseline gets Known = true, and current.Baseline
// lists Known, New, Fixed and Unverified IDs. Only conformance checks take part:
// advisory checks never fail a run, so there is nothing for a baseline to excuse.
//
// A nil baseline is an empty one (every failure is new). Calling it again with
// another baseline replaces the earlier comparison. Call Summarize afterwards so
// Totals.Known and Level reflect it.
func CompareBaseline(current, baseline *Run, file string) *Baseline {
	failedBefore := map[string]bool{}
	var baselineOrder []string
	if baseline != nil {
		for _, c := range baseline.Checks {
			if !c.Advisory && c.Verdict == Fail && !failedBefore[c.ID] {
				failedBefore[c.ID] = true
				baselineOrder = append(baselineOrder, c.ID)
			}
		}
	}
	b := &Baseline{File: file, Known: []string{}, New: []string{}, Fixed: []string{}}
	passedNow := map[string]bool{}
	for i := range current.Checks {
		c := &current.Checks[i]
		c.Known = false
		if c.Advisory {
			continue
		}
		switch c.Verdict {
		case Pass:
			passedNow[c.ID] = true
		case Fail:
			if failedBefore[c.ID] {
				c.Known = true
				b.Known = append(b.Known, c.ID)
			} else {
				b.New = append(b.New, c.ID)
			}
		}
	}
	failedNow := map[string]bool{}
	for _, id := range b.Known {
		failedNow[id] = true
	}
	for _, id := range baselineOrder {
		switch {
		case passedNow[id]:
			b.Fixed = append(b.Fixed, id)
		case !failedNow[id]:
			b.Unverified = append(b.Unverified, id)
		}
	}
	current.Baseline = b
	return b
}
