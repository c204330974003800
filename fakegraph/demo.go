package fakegraph

import (
	"fmt"
	"time"
)

// Demo store ids, fixed so scripts and docs can name them.
const (
	DemoEmployeesStore = "6c1e5c2b-8f0e-4a59-9d1b-2f4d3a0c7e11"
	DemoPatientsStore  = "9a4d7e21-3b6c-4f08-a5d2-7c1e0b9f8a34"
	DemoCardsStore     = "b7f0d3a4-2c55-4e1e-8a0b-91c3e4d5f6a7"
	DemoClaimsStore    = "e2c8a9f1-5d3b-4c7a-9e6f-0a1b2c3d4e5f"
)

// NewDemo returns a simulator loaded with the demo scenario: four stores and
// a dozen sessions in every phase, which visibly progress within a minute;
// one fails soon, one waits for a commit, and a new upload starts every
// 45 seconds. Every health verdict shows: Employee records is ok, Patient
// records has an upload stalled since last night, Card holders' index is
// two days old (stale) and Claims archive's newest upload failed.
func NewDemo(opts Options) *Server {
	s := New(opts)
	now := s.opts.Clock.Now()
	day := func(offset int) string { return now.AddDate(0, 0, offset).Format("2006-01-02") }

	s.AddStore(Store{
		ID:              DemoEmployeesStore,
		DisplayName:     "Employee records",
		Description:     "HR master data, refreshed nightly",
		DataLastUpdated: now.Add(-7 * time.Hour),
		Columns: []Column{
			{Name: "EmployeeId", Searchable: true},
			{Name: "Email", Searchable: true, CaseInsensitive: true, IgnoredDelimiters: []string{"."}},
			{Name: "LastName", CaseInsensitive: true},
			{Name: "NationalId", Searchable: true, IgnoredDelimiters: []string{"-", " "}},
		},
	})
	s.AddStore(Store{
		ID:              DemoPatientsStore,
		DisplayName:     "Patient records",
		Description:     "Clinical system export (PHI), twice daily",
		DataLastUpdated: now.Add(-5 * time.Hour),
		Columns: []Column{
			{Name: "MRN", Searchable: true},
			{Name: "FullName", CaseInsensitive: true},
			{Name: "DateOfBirth"},
			{Name: "InsuranceId", Searchable: true},
		},
	})
	s.AddStore(Store{
		ID:          DemoCardsStore,
		DisplayName: "Card holders",
		Columns: []Column{
			{Name: "PAN", Searchable: true, IgnoredDelimiters: []string{"-", " "}},
			{Name: "HolderName", CaseInsensitive: true},
		},
	})

	s.AddStore(Store{
		ID:              DemoClaimsStore,
		DisplayName:     "Claims archive",
		Description:     "Insurance claims, weekly",
		DataLastUpdated: now.Add(-30 * time.Hour),
		Columns: []Column{
			{Name: "ClaimId", Searchable: true},
			{Name: "MemberId", Searchable: true},
			{Name: "Provider", CaseInsensitive: true},
		},
	})

	add := func(store string, spec SessionSpec) {
		spec.ID = deriveGUID("demo", store, spec.FileName)
		_, _ = s.AddSession(store, spec)
	}
	ago := func(d time.Duration) time.Time { return now.Add(-d) }

	// Employee records: one of each phase.
	add(DemoEmployeesStore, SessionSpec{FileName: "employees-" + day(-1) + ".EdmHash", Created: ago(26 * time.Hour),
		TotalBlocks: 24, BlocksPerMinute: 2, TotalJobs: 10, JobsPerMinute: 1, AutoCommit: true})
	add(DemoEmployeesStore, SessionSpec{FileName: "employees-" + day(0) + ".EdmHash", Created: ago(4 * time.Minute),
		TotalBlocks: 24, BlocksPerMinute: 12, TotalJobs: 20, JobsPerMinute: 4, AutoCommit: true})
	add(DemoEmployeesStore, SessionSpec{FileName: "employees-delta.EdmHash", Created: ago(90 * time.Second),
		TotalBlocks: 50, BlocksPerMinute: 10, TotalJobs: 12, JobsPerMinute: 6, AutoCommit: true})
	add(DemoEmployeesStore, SessionSpec{FileName: "contractors.EdmHash", Created: ago(3 * time.Minute),
		TotalBlocks: 8, BlocksPerMinute: 8, TotalJobs: 8, JobsPerMinute: 2, AutoCommit: true, FailAfterJobs: 5})
	add(DemoEmployeesStore, SessionSpec{FileName: "terminations-q4.EdmHash", Created: ago(12 * time.Minute),
		TotalBlocks: 6, BlocksPerMinute: 3, TotalJobs: 6, JobsPerMinute: 3})
	add(DemoEmployeesStore, SessionSpec{FileName: "employees-full-rebuild.EdmHash", Created: ago(10 * time.Minute),
		TotalBlocks: 400, BlocksPerMinute: 6, TotalJobs: 80, JobsPerMinute: 4, AutoCommit: true})
	add(DemoEmployeesStore, SessionSpec{FileName: "employees-test-run.EdmHash", Created: ago(50 * time.Minute),
		TotalBlocks: 30, BlocksPerMinute: 1, TotalJobs: 10, JobsPerMinute: 1, AutoCommit: true, CancelledAt: ago(35 * time.Minute)})

	// Patient records.
	add(DemoPatientsStore, SessionSpec{FileName: "patients-" + day(0) + "-am.EdmHash", Created: ago(2 * time.Minute),
		TotalBlocks: 60, BlocksPerMinute: 20, TotalJobs: 30, JobsPerMinute: 6, AutoCommit: true})
	add(DemoPatientsStore, SessionSpec{FileName: "patients-" + day(-1) + "-pm.EdmHash", Created: ago(14 * time.Hour),
		TotalBlocks: 58, BlocksPerMinute: 4, TotalJobs: 30, JobsPerMinute: 2, AutoCommit: true})
	add(DemoPatientsStore, SessionSpec{FileName: "patients-" + day(-1) + "-am.EdmHash", Created: ago(22 * time.Hour),
		TotalBlocks: 57, BlocksPerMinute: 4, TotalJobs: 30, JobsPerMinute: 2, AutoCommit: true, FailAfterJobs: 17,
		Failure: &Failure{
			Code: "UploadAgentTimeout", Message: "Processing stopped: the upload agent did not renew the session in time.",
			Target: "patients-" + day(-1) + "-am.EdmHash", InnerCode: "SessionExpired",
			ActivityID: deriveGUID("demo", "patients-expired"), ClientRequestID: deriveGUID("demo", "patients-expired-client"),
		}})
	add(DemoPatientsStore, SessionSpec{FileName: "insurance-ids.csv.EdmHash", Created: ago(40 * time.Second),
		TotalBlocks: 30, BlocksPerMinute: 15, TotalJobs: 6, JobsPerMinute: 3})

	add(DemoPatientsStore, SessionSpec{FileName: "patients-backfill.EdmHash", Created: ago(21 * time.Hour),
		TotalBlocks: 120, BlocksPerMinute: 30, TotalJobs: 40, JobsPerMinute: 4, AutoCommit: true, StallAfterBlocks: 44})

	// Claims archive: the newest upload failed an hour ago.
	add(DemoClaimsStore, SessionSpec{FileName: "claims-" + day(-8) + ".EdmHash", Created: ago(8 * 24 * time.Hour),
		TotalBlocks: 40, BlocksPerMinute: 4, TotalJobs: 20, JobsPerMinute: 2, AutoCommit: true})
	add(DemoClaimsStore, SessionSpec{FileName: "claims-" + day(-1) + ".EdmHash", Created: ago(90 * time.Minute),
		TotalBlocks: 40, BlocksPerMinute: 4, TotalJobs: 20, JobsPerMinute: 2, AutoCommit: true, FailAfterJobs: 12,
		Failure: &Failure{
			Code: "InvalidHashBlockFormat", Message: "Block 13 is not a valid hash block: it was hashed with another salt.",
			Target: "claims-" + day(-1) + ".EdmHash", InnerCode: "SaltMismatch",
			ActivityID: deriveGUID("demo", "claims-failed"), ClientRequestID: deriveGUID("demo", "claims-failed-client"),
		}})

	// Card holders.
	add(DemoCardsStore, SessionSpec{FileName: "cardholders-" + day(0) + ".EdmHash", Created: ago(3 * time.Minute),
		TotalBlocks: 16, BlocksPerMinute: 4, TotalJobs: 8, JobsPerMinute: 2, AutoCommit: true})
	add(DemoCardsStore, SessionSpec{FileName: "cardholders-" + day(-2) + ".EdmHash", Created: ago(49 * time.Hour),
		TotalBlocks: 16, BlocksPerMinute: 4, TotalJobs: 8, JobsPerMinute: 2, AutoCommit: true})

	s.GenerateSessions(DemoEmployeesStore, 45*time.Second, func(i int, at time.Time) SessionSpec {
		name := fmt.Sprintf("employees-hourly-%s.EdmHash", at.Format("1504-05"))
		return SessionSpec{
			ID: deriveGUID("demo", "hourly", name), FileName: name,
			TotalBlocks: 12 + i%5*4, BlocksPerMinute: 6, TotalJobs: 6, JobsPerMinute: 3, AutoCommit: true,
		}
	})
	return s
}
