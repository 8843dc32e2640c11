// Command tfjson-summary counts the resource changes of a `terraform show -json`
// plan document the way most Go tooling does it: unmarshal the whole file into
// tfjson.Plan (github.com/hashicorp/terraform-json), then walk resource_changes.
//
// It prints one JSON object with the integer keys create, update, delete,
// replace, read, no_op, import and forget (sorted keys).
//
// Debian ships terraform-json 0.5.0, which predates plan format 1.x: its
// (*Plan).UnmarshalJSON and (*State).UnmarshalJSON refuse any format_version
// other than "0.1", and its Change has no `importing` field. We therefore decode
// into method-less copies of the same tfjson types (exactly what those
// UnmarshalJSON methods do internally before validating), shadowing only
// resource_changes (to read change.importing) and prior_state (to skip the
// version check). Everything else in the document is decoded into the
// tfjson structs, so the work done is that of json.Unmarshal into tfjson.Plan.
package main

import (
	"encoding/json"
	"fmt"
	"os"

	tfjson "github.com/hashicorp/terraform-json"
)

// planBody is tfjson.Plan without its validating UnmarshalJSON method.
type planBody tfjson.Plan

// stateBody is tfjson.State without its validating UnmarshalJSON method.
type stateBody tfjson.State

type change struct {
	tfjson.Change
	// Importing is present (non-null) when the resource is being imported
	// (plan format 1.1+, Terraform 1.5+).
	Importing json.RawMessage `json:"importing,omitempty"`
}

type resourceChange struct {
	tfjson.ResourceChange
	Change *change `json:"change,omitempty"`
}

type plan struct {
	planBody
	ResourceChanges []*resourceChange `json:"resource_changes,omitempty"`
	PriorState      *stateBody        `json:"prior_state,omitempty"`
}

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: tfjson-summary PLAN.json")
		os.Exit(2)
	}
	data, err := os.ReadFile(os.Args[1])
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	var p plan
	if err := json.Unmarshal(data, &p); err != nil {
		fmt.Fprintln(os.Stderr, "decode:", err)
		os.Exit(1)
	}
	if p.FormatVersion == "" {
		fmt.Fprintln(os.Stderr, "not a plan: format_version is missing")
		os.Exit(1)
	}

	counts := map[string]int{
		"create": 0, "update": 0, "delete": 0, "replace": 0,
		"read": 0, "no_op": 0, "import": 0, "forget": 0,
	}
	for _, rc := range p.ResourceChanges {
		if rc == nil || rc.Change == nil {
			continue
		}
		a := rc.Change.Actions
		switch {
		case a.Replace(): // [delete, create] or [create, delete]
			counts["replace"]++
		case a.Create():
			counts["create"]++
		case a.Update():
			counts["update"]++
		case a.Delete():
			counts["delete"]++
		case a.Read():
			counts["read"]++
		case a.NoOp():
			counts["no_op"]++
		case len(a) == 1 && a[0] == "forget":
			counts["forget"]++
		default:
			fmt.Fprintf(os.Stderr, "%s: unexpected actions %v\n", rc.Address, a)
			os.Exit(1)
		}
		if imp := rc.Change.Importing; len(imp) > 0 && string(imp) != "null" {
			counts["import"]++
		}
	}
	out, err := json.Marshal(counts) // encoding/json sorts map keys
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	fmt.Println(string(out))
}
