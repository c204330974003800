package graphapi

import (
	"fmt"
	"net/url"
	"unicode"
)

// maxIDLength bounds ids taken from users or servers; Graph ids are GUIDs.
const maxIDLength = 256

// ValidateID checks an id before it is placed in a URL path.
func ValidateID(kind, id string) error {
	if id == "" {
		return fmt.Errorf("%s id is empty", kind)
	}
	if len(id) > maxIDLength {
		return fmt.Errorf("%s id is longer than %d bytes", kind, maxIDLength)
	}
	for _, r := range id {
		if unicode.IsControl(r) || r == unicode.ReplacementChar {
			return fmt.Errorf("%s id contains a control character or invalid UTF-8", kind)
		}
	}
	return nil
}

// escapeSegment makes id one path segment: "/" is escaped, and the dot
// segments "." and ".." are escaped too, so no id can climb the path.
func escapeSegment(id string) string {
	switch id {
	case ".":
		return "%2E"
	case "..":
		return "%2E%2E"
	}
	return url.PathEscape(id)
}
