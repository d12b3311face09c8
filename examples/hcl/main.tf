# The partner of examples/gitops-partner in plain Terraform: 3 customers, one file each.
# `omnia provider install` puts the provider where `terraform init` finds it offline
# (examples/hcl/README.md). Secrets are never values here: every PIN and the trunk password
# name an environment variable of the CONTROLLER (`*_from_env`), in this partner's namespace
# OMNIA_SECRET_DEMO_ (the controller reads only OMNIA_SECRET_<PARTNER>_* for a partner).
# An extension whose user is declared as a kalliope_user depends on it: the platform links
# an extension only to a user that exists.

terraform {
  required_version = ">= 1.11"
  required_providers {
    kalliope = {
      source  = "omnia-iac/kalliope"
      version = "0.1.0"
    }
  }
}

provider "kalliope" {
  # Null: the provider reads OMNIA_CONTROLLER_URL, OMNIA_TOKEN and OMNIA_SOURCE instead.
  controller_url = var.controller_url
  token          = var.omnia_token
}
