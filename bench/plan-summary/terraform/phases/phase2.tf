# Only present in phase 2.
import {
  for_each = toset(["alpha", "beta", "gamma"])
  to       = terraform_data.imported[each.key]
  id       = "imported-${each.key}"
}

removed {
  from = terraform_data.legacy
  lifecycle {
    destroy = false
  }
}
