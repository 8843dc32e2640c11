# Only present in phase 1: forgotten (removed with destroy = false) in phase 2.
resource "terraform_data" "legacy" {
  count = 2
  input = "legacy-${count.index}"
}
