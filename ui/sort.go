package ui

import (
	"strings"

	"github.com/edmtop/edmtop/graphapi"
)

// Sorting: the keys s cycles through, and how each orders two rows.

type sortKey int

const (
	sortCreated sortKey = iota
	sortUpdated
	sortState
	sortUpload
	sortProcessing
	sortFile
	sortKeys
)

func (k sortKey) String() string {
	return [...]string{"created", "updated", "state", "upload %", "processing %", "file name"}[k]
}

// classOrder puts what needs attention first.
var classOrder = map[graphapi.StateClass]int{graphapi.StateFailed: 0, graphapi.StateInProgress: 1, graphapi.StateCancelled: 2, graphapi.StateDone: 3}

// compare orders two rows by the key: newest, most advanced or A first.
func (k sortKey) compare(a, b *row) int {
	switch k {
	case sortUpdated:
		return b.s.LastUpdatedDateTime.Compare(a.s.LastUpdatedDateTime.Time)
	case sortState:
		if c := classOrder[a.class] - classOrder[b.class]; c != 0 {
			return c
		}
		return strings.Compare(a.state, b.state)
	case sortUpload:
		return compareProgress(b.s.UploadProgress(), a.s.UploadProgress())
	case sortProcessing:
		return compareProgress(b.s.ProcessingProgress(), a.s.ProcessingProgress())
	case sortFile:
		return strings.Compare(strings.ToLower(a.name), strings.ToLower(b.name))
	}
	return b.s.CreationDateTime.Compare(a.s.CreationDateTime.Time)
}

func compareProgress(a, b graphapi.Progress) int {
	switch {
	case a.Known != b.Known:
		if a.Known {
			return 1
		}
		return -1
	case a.Fraction < b.Fraction:
		return -1
	case a.Fraction > b.Fraction:
		return 1
	}
	return 0
}
