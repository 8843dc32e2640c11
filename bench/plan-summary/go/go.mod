module tfstage.bench/plan-summary

go 1.19

require github.com/hashicorp/terraform-json v0.5.0

require (
	github.com/apparentlymart/go-textseg/v13 v13.0.0 // indirect
	github.com/zclconf/go-cty v1.12.1 // indirect
	golang.org/x/text v0.3.7 // indirect
)

// Offline build against Debian's golang-github-hashicorp-terraform-json-dev
// and its dependencies (GOPROXY=off; nothing is downloaded).
replace (
	github.com/apparentlymart/go-textseg/v13 => /usr/share/gocode/src/github.com/apparentlymart/go-textseg
	github.com/hashicorp/terraform-json => /usr/share/gocode/src/github.com/hashicorp/terraform-json
	github.com/zclconf/go-cty => /usr/share/gocode/src/github.com/zclconf/go-cty
	golang.org/x/text => /usr/share/gocode/src/golang.org/x/text
)
