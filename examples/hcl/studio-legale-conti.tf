# Studio Legale Conti: studio-milano shares group rete-lombarda with Brambilla's Bergamo PBX; studio-roma is left on the platform if removed here.

resource "kalliope_tenant" "studio_legale_conti" {
  name          = "studio-legale-conti"
  labels        = { segment = "professional" }
  business_name = "Studio Legale Avv. Marco Conti"
  customer_code = "CONTI-LEGAL"
  vat_number    = "12345090984"
  fiscal_code   = "CNTMRC72C14H501E"
  omnia_manager = true
}

resource "kalliope_user" "marco_conti" {
  name                 = "marco-conti"
  tenant               = kalliope_tenant.studio_legale_conti.customer_code
  first_name           = "Marco"
  last_name            = "Conti"
  email                = "marco.conti@studiolegaleconti.example"
  department           = "Soci"
  admin_console_role   = "admin"
  omnia_manager_role   = "pbxAdmin"
  may_manage_customers = false
}

resource "kalliope_user" "elena_marchetti" {
  name               = "elena-marchetti"
  tenant             = kalliope_tenant.studio_legale_conti.customer_code
  first_name         = "Elena"
  last_name          = "Marchetti"
  email              = "elena.marchetti@studiolegaleconti.example"
  department         = "Segreteria"
  admin_console_role = "viewer"
  omnia_manager_role = "none"
}

resource "kalliope_pbx" "studio_milano" {
  name   = "studio-milano"
  tenant = kalliope_tenant.studio_legale_conti.customer_code
  kind   = "group"
  group  = "rete-lombarda"
}

# deletion_policy "orphan" in the gitops example; under Terraform, keeping is Terraform's
# (see hotel-lago-maggiore.tf).
resource "kalliope_pbx" "studio_roma" {
  name   = "studio-roma"
  tenant = kalliope_tenant.studio_legale_conti.customer_code
  kind   = "single"
}

resource "kalliope_extension" "studio_milano_401" {
  name         = "studio-milano-401"
  tenant       = kalliope_pbx.studio_milano.tenant
  pbx          = kalliope_pbx.studio_milano.name
  number       = "401"
  license      = "plus"
  pin_from_env = "OMNIA_SECRET_DEMO_PIN_CONTI_LEGAL_STUDIO_MILANO_401"
  user         = { email = "marco.conti@studiolegaleconti.example" }
  depends_on   = [kalliope_user.marco_conti]
}

resource "kalliope_extension" "studio_milano_402" {
  name         = "studio-milano-402"
  tenant       = kalliope_pbx.studio_milano.tenant
  pbx          = kalliope_pbx.studio_milano.name
  number       = "402"
  license      = "plus"
  pin_from_env = "OMNIA_SECRET_DEMO_PIN_CONTI_LEGAL_STUDIO_MILANO_402"
  user         = { email = "elena.marchetti@studiolegaleconti.example" }
  depends_on   = [kalliope_user.elena_marchetti]
}

resource "kalliope_extension" "studio_milano_403" {
  name         = "studio-milano-403"
  tenant       = kalliope_pbx.studio_milano.tenant
  pbx          = kalliope_pbx.studio_milano.name
  number       = "403"
  license      = "plus"
  pin_from_env = "OMNIA_SECRET_DEMO_PIN_CONTI_LEGAL_STUDIO_MILANO_403"
  user         = { email = "davide.greco@studiolegaleconti.example", first_name = "Davide", last_name = "Greco" }
}

resource "kalliope_extension" "studio_milano_404" {
  name         = "studio-milano-404"
  tenant       = kalliope_pbx.studio_milano.tenant
  pbx          = kalliope_pbx.studio_milano.name
  number       = "404"
  license      = "start"
  pin_from_env = "OMNIA_SECRET_DEMO_PIN_CONTI_LEGAL_STUDIO_MILANO_404"
}

resource "kalliope_extension" "studio_milano_405" {
  name         = "studio-milano-405"
  tenant       = kalliope_pbx.studio_milano.tenant
  pbx          = kalliope_pbx.studio_milano.name
  number       = "405"
  license      = "start"
  pin_from_env = "OMNIA_SECRET_DEMO_PIN_CONTI_LEGAL_STUDIO_MILANO_405"
}

resource "kalliope_extension" "studio_milano_406" {
  name         = "studio-milano-406"
  tenant       = kalliope_pbx.studio_milano.tenant
  pbx          = kalliope_pbx.studio_milano.name
  number       = "406"
  license      = "start"
  pin_from_env = "OMNIA_SECRET_DEMO_PIN_CONTI_LEGAL_STUDIO_MILANO_406"
}

resource "kalliope_extension" "studio_milano_407" {
  name         = "studio-milano-407"
  tenant       = kalliope_pbx.studio_milano.tenant
  pbx          = kalliope_pbx.studio_milano.name
  number       = "407"
  license      = "start"
  pin_from_env = "OMNIA_SECRET_DEMO_PIN_CONTI_LEGAL_STUDIO_MILANO_407"
}

resource "kalliope_extension" "studio_milano_408" {
  name         = "studio-milano-408"
  tenant       = kalliope_pbx.studio_milano.tenant
  pbx          = kalliope_pbx.studio_milano.name
  number       = "408"
  license      = "start"
  pin_from_env = "OMNIA_SECRET_DEMO_PIN_CONTI_LEGAL_STUDIO_MILANO_408"
}

resource "kalliope_extension" "studio_roma_10" {
  name         = "studio-roma-10"
  tenant       = kalliope_pbx.studio_roma.tenant
  pbx          = kalliope_pbx.studio_roma.name
  number       = "10"
  license      = "plus"
  pin_from_env = "OMNIA_SECRET_DEMO_PIN_CONTI_LEGAL_STUDIO_ROMA_10"
  user         = { email = "marco.conti@studiolegaleconti.example" }
  depends_on   = [kalliope_user.marco_conti]
}

resource "kalliope_extension" "studio_roma_11" {
  name         = "studio-roma-11"
  tenant       = kalliope_pbx.studio_roma.tenant
  pbx          = kalliope_pbx.studio_roma.name
  number       = "11"
  license      = "plus"
  pin_from_env = "OMNIA_SECRET_DEMO_PIN_CONTI_LEGAL_STUDIO_ROMA_11"
  user         = { email = "valentina.russo@studiolegaleconti.example", first_name = "Valentina", last_name = "Russo" }
}

resource "kalliope_extension" "studio_roma_12" {
  name         = "studio-roma-12"
  tenant       = kalliope_pbx.studio_roma.tenant
  pbx          = kalliope_pbx.studio_roma.name
  number       = "12"
  license      = "start"
  pin_from_env = "OMNIA_SECRET_DEMO_PIN_CONTI_LEGAL_STUDIO_ROMA_12"
}

resource "kalliope_extension" "studio_roma_13" {
  name         = "studio-roma-13"
  tenant       = kalliope_pbx.studio_roma.tenant
  pbx          = kalliope_pbx.studio_roma.name
  number       = "13"
  license      = "start"
  pin_from_env = "OMNIA_SECRET_DEMO_PIN_CONTI_LEGAL_STUDIO_ROMA_13"
}

resource "kalliope_extension" "studio_roma_14" {
  name         = "studio-roma-14"
  tenant       = kalliope_pbx.studio_roma.tenant
  pbx          = kalliope_pbx.studio_roma.name
  number       = "14"
  license      = "start"
  pin_from_env = "OMNIA_SECRET_DEMO_PIN_CONTI_LEGAL_STUDIO_ROMA_14"
}

resource "kalliope_extension" "studio_roma_15" {
  name         = "studio-roma-15"
  tenant       = kalliope_pbx.studio_roma.tenant
  pbx          = kalliope_pbx.studio_roma.name
  number       = "15"
  license      = "start"
  pin_from_env = "OMNIA_SECRET_DEMO_PIN_CONTI_LEGAL_STUDIO_ROMA_15"
}

resource "kalliope_extension" "studio_roma_16" {
  name         = "studio-roma-16"
  tenant       = kalliope_pbx.studio_roma.tenant
  pbx          = kalliope_pbx.studio_roma.name
  number       = "16"
  license      = "start"
  pin_from_env = "OMNIA_SECRET_DEMO_PIN_CONTI_LEGAL_STUDIO_ROMA_16"
}

resource "kalliope_extension" "studio_roma_17" {
  name         = "studio-roma-17"
  tenant       = kalliope_pbx.studio_roma.tenant
  pbx          = kalliope_pbx.studio_roma.name
  number       = "17"
  license      = "start"
  pin_from_env = "OMNIA_SECRET_DEMO_PIN_CONTI_LEGAL_STUDIO_ROMA_17"
}
