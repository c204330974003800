package graphapi

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"strings"
	"testing"
)

// Graph's error envelope keeps target, details and nested innerError codes
// (issue 19).
func TestErrorKeepsTargetDetailsAndInnerCodes(t *testing.T) {
	srv := serve(t, graphErrorHandler(t, 400, "error-400-with-details.json", nil))
	err := newTestClient(t, srv, nil).CancelSession(context.Background(), storeID, "s1")
	var ge *Error
	if !errors.As(err, &ge) {
		t.Fatalf("want *Error, got %v", err)
	}
	if ge.Code != "BadRequest" || ge.Target != "session" || ge.RequestID != "7c1d9e2a-3b4f-4c5d-8e6f-0a1b2c3d4e5f" {
		t.Errorf("got %+v", ge)
	}
	if want := []string{"invalidRequest", "FieldValidationFailed"}; !slices.Equal(ge.InnerCodes, want) {
		t.Errorf("InnerCodes = %q, want %q", ge.InnerCodes, want)
	}
	want := []ErrorDetail{
		{Code: "InvalidValue", Message: "fileName must end with .EdmHash.", Target: "fileName"},
		{Code: "MissingProperty", Message: "rowsPerBlock is required.", Target: "rowsPerBlock"},
	}
	if !slices.EqualFunc(ge.Details, want, func(a, b ErrorDetail) bool {
		return a.Code == b.Code && a.Message == b.Message && a.Target == b.Target && len(a.InnerCodes) == 0
	}) {
		t.Errorf("Details = %+v", ge.Details)
	}
	for _, part := range []string{"(target: session)", "invalidRequest: FieldValidationFailed", "InvalidValue: fileName must end with .EdmHash. (target: fileName)", "MissingProperty"} {
		if !strings.Contains(ge.Error(), part) {
			t.Errorf("Error() lacks %q: %s", part, ge.Error())
		}
	}
}

func TestErrorEnvelopeIsReadLeniently(t *testing.T) {
	for name, body := range map[string]string{
		"details not an array":  `{"error":{"code":"c","message":"m","details":"oops"}}`,
		"details with odd rows": `{"error":{"code":"c","message":"m","details":[1,null,{"code":"d","innerError":{"code":"i1","innerError":{"code":"i2"}}}]}}`,
		"innerError not object": `{"error":{"code":"c","message":"m","innerError":"x"}}`,
		"deep innerErrors":      `{"error":{"code":"c","message":"m","innerError":` + strings.Repeat(`{"code":"i","innerError":`, 50) + `null` + strings.Repeat(`}`, 50) + `}}`,
	} {
		t.Run(name, func(t *testing.T) {
			srv := serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.WriteHeader(400)
				w.Write([]byte(body))
			}))
			_, err := newTestClient(t, srv, nil).GetSession(context.Background(), storeID, "s1")
			ge, ok := AsError(err)
			if !ok || ge.Code != "c" || ge.Message != "m" {
				t.Fatalf("got %#v", err)
			}
			if len(ge.InnerCodes) > maxInnerDepth {
				t.Errorf("%d inner codes kept", len(ge.InnerCodes))
			}
			if name == "details with odd rows" && (len(ge.Details) != 1 || !slices.Equal(ge.Details[0].InnerCodes, []string{"i1", "i2"})) {
				t.Errorf("Details = %+v", ge.Details)
			}
		})
	}
}
