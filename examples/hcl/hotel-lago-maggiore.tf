# Hotel Lago Maggiore: a shared PBX with the hotel module, a WindTre trunk, 5 number blocks.
# The gitops example sets drift_mode = "warn" on this tenant (drift reported, never written).
# Here it is left out: under Terraform, `terraform plan` reports drift and `terraform apply`
# repairs it, and "warn" would also forbid the controller to create the tenant at all.

resource "kalliope_tenant" "hotel_lago_maggiore" {
  name          = "hotel-lago-maggiore"
  labels        = { segment = "hospitality" }
  business_name = "Hotel Lago Maggiore S.p.A."
  customer_code = "HLM-STRESA"
  vat_number    = "01987650031"
  fiscal_code   = "01987650031"
  omnia_manager = true
}

resource "kalliope_user" "roberto_bianchi" {
  name               = "roberto-bianchi"
  tenant             = kalliope_tenant.hotel_lago_maggiore.customer_code
  first_name         = "Roberto"
  last_name          = "Bianchi"
  email              = "roberto.bianchi@hotellagomaggiore.example"
  department         = "Direzione"
  admin_console_role = "admin"
  omnia_manager_role = "pbxAdmin"
}

resource "kalliope_user" "chiara_ricci" {
  name               = "chiara-ricci"
  tenant             = kalliope_tenant.hotel_lago_maggiore.customer_code
  first_name         = "Chiara"
  last_name          = "Ricci"
  email              = "chiara.ricci@hotellagomaggiore.example"
  department         = "Ricevimento"
  admin_console_role = "none"
  omnia_manager_role = "viewer"
}

resource "kalliope_sip_trunk" "windtre_stresa" {
  name          = "windtre-stresa"
  tenant        = kalliope_tenant.hotel_lago_maggiore.customer_code
  description   = "Trunk hotel Stresa"
  operator      = "WindTre"
  endpoint      = "voip.windtre-business.example"
  auth_required = false
}

resource "kalliope_pbx" "hotel_stresa" {
  name        = "hotel-stresa"
  tenant      = kalliope_tenant.hotel_lago_maggiore.customer_code
  kind        = "shared"
  group       = "lago-maggiore"
  hotel       = true
  call_center = true
}

# The gitops example keeps this block on the platform when removed (deletion_policy
# "orphan"). Under Terraform, keeping is Terraform's: `lifecycle { prevent_destroy = true }`,
# or `terraform state rm`; an orphaned block would also stop `terraform destroy` deleting
# its PBX and tenant, which the platform refuses while the block uses them.
resource "kalliope_number" "did_390323931000" {
  name         = "did-390323931000"
  tenant       = kalliope_tenant.hotel_lago_maggiore.customer_code
  number       = "+390323931000"
  block_digits = 3
  pbx          = kalliope_pbx.hotel_stresa.name
  trunk        = kalliope_sip_trunk.windtre_stresa.name
}

resource "kalliope_number" "did_390323932100" {
  name         = "did-390323932100"
  tenant       = kalliope_tenant.hotel_lago_maggiore.customer_code
  number       = "+390323932100"
  block_digits = 2
  pbx          = kalliope_pbx.hotel_stresa.name
  trunk        = kalliope_sip_trunk.windtre_stresa.name
}

resource "kalliope_number" "did_390323932200" {
  name         = "did-390323932200"
  tenant       = kalliope_tenant.hotel_lago_maggiore.customer_code
  number       = "+390323932200"
  block_digits = 2
  pbx          = kalliope_pbx.hotel_stresa.name
  trunk        = kalliope_sip_trunk.windtre_stresa.name
}

resource "kalliope_number" "did_390323932310" {
  name         = "did-390323932310"
  tenant       = kalliope_tenant.hotel_lago_maggiore.customer_code
  number       = "+390323932310"
  block_digits = 1
  pbx          = kalliope_pbx.hotel_stresa.name
  trunk        = kalliope_sip_trunk.windtre_stresa.name
}

resource "kalliope_number" "did_390323932320" {
  name         = "did-390323932320"
  tenant       = kalliope_tenant.hotel_lago_maggiore.customer_code
  number       = "+390323932320"
  block_digits = 1
  pbx          = kalliope_pbx.hotel_stresa.name
  trunk        = kalliope_sip_trunk.windtre_stresa.name
}

resource "kalliope_extension" "hotel_stresa_1001" {
  name         = "hotel-stresa-1001"
  tenant       = kalliope_pbx.hotel_stresa.tenant
  pbx          = kalliope_pbx.hotel_stresa.name
  number       = "1001"
  license      = "plus"
  pin_from_env = "OMNIA_SECRET_DEMO_PIN_HLM_STRESA_HOTEL_STRESA_1001"
  user         = { email = "roberto.bianchi@hotellagomaggiore.example" }
  depends_on   = [kalliope_user.roberto_bianchi]
}

resource "kalliope_extension" "hotel_stresa_1002" {
  name         = "hotel-stresa-1002"
  tenant       = kalliope_pbx.hotel_stresa.tenant
  pbx          = kalliope_pbx.hotel_stresa.name
  number       = "1002"
  license      = "plus"
  pin_from_env = "OMNIA_SECRET_DEMO_PIN_HLM_STRESA_HOTEL_STRESA_1002"
  user         = { email = "chiara.ricci@hotellagomaggiore.example", first_name = "Chiara", last_name = "Ricci" }
  depends_on   = [kalliope_user.chiara_ricci]
}

resource "kalliope_extension" "hotel_stresa_1003" {
  name         = "hotel-stresa-1003"
  tenant       = kalliope_pbx.hotel_stresa.tenant
  pbx          = kalliope_pbx.hotel_stresa.name
  number       = "1003"
  license      = "plus"
  pin_from_env = "OMNIA_SECRET_DEMO_PIN_HLM_STRESA_HOTEL_STRESA_1003"
  user         = { email = "giorgio.esposito@hotellagomaggiore.example", first_name = "Giorgio", last_name = "Esposito" }
}

resource "kalliope_extension" "hotel_stresa_1004" {
  name         = "hotel-stresa-1004"
  tenant       = kalliope_pbx.hotel_stresa.tenant
  pbx          = kalliope_pbx.hotel_stresa.name
  number       = "1004"
  license      = "plus"
  pin_from_env = "OMNIA_SECRET_DEMO_PIN_HLM_STRESA_HOTEL_STRESA_1004"
}

resource "kalliope_extension" "hotel_stresa_1005" {
  name         = "hotel-stresa-1005"
  tenant       = kalliope_pbx.hotel_stresa.tenant
  pbx          = kalliope_pbx.hotel_stresa.name
  number       = "1005"
  license      = "start"
  pin_from_env = "OMNIA_SECRET_DEMO_PIN_HLM_STRESA_HOTEL_STRESA_1005"
}

resource "kalliope_extension" "hotel_stresa_1006" {
  name         = "hotel-stresa-1006"
  tenant       = kalliope_pbx.hotel_stresa.tenant
  pbx          = kalliope_pbx.hotel_stresa.name
  number       = "1006"
  license      = "start"
  pin_from_env = "OMNIA_SECRET_DEMO_PIN_HLM_STRESA_HOTEL_STRESA_1006"
}

resource "kalliope_extension" "hotel_stresa_1007" {
  name         = "hotel-stresa-1007"
  tenant       = kalliope_pbx.hotel_stresa.tenant
  pbx          = kalliope_pbx.hotel_stresa.name
  number       = "1007"
  license      = "start"
  pin_from_env = "OMNIA_SECRET_DEMO_PIN_HLM_STRESA_HOTEL_STRESA_1007"
}

resource "kalliope_extension" "hotel_stresa_1008" {
  name         = "hotel-stresa-1008"
  tenant       = kalliope_pbx.hotel_stresa.tenant
  pbx          = kalliope_pbx.hotel_stresa.name
  number       = "1008"
  license      = "start"
  pin_from_env = "OMNIA_SECRET_DEMO_PIN_HLM_STRESA_HOTEL_STRESA_1008"
}

resource "kalliope_extension" "hotel_stresa_1009" {
  name         = "hotel-stresa-1009"
  tenant       = kalliope_pbx.hotel_stresa.tenant
  pbx          = kalliope_pbx.hotel_stresa.name
  number       = "1009"
  license      = "start"
  pin_from_env = "OMNIA_SECRET_DEMO_PIN_HLM_STRESA_HOTEL_STRESA_1009"
}

resource "kalliope_extension" "hotel_stresa_1010" {
  name         = "hotel-stresa-1010"
  tenant       = kalliope_pbx.hotel_stresa.tenant
  pbx          = kalliope_pbx.hotel_stresa.name
  number       = "1010"
  license      = "start"
  pin_from_env = "OMNIA_SECRET_DEMO_PIN_HLM_STRESA_HOTEL_STRESA_1010"
}

resource "kalliope_extension" "hotel_stresa_1011" {
  name         = "hotel-stresa-1011"
  tenant       = kalliope_pbx.hotel_stresa.tenant
  pbx          = kalliope_pbx.hotel_stresa.name
  number       = "1011"
  license      = "start"
  pin_from_env = "OMNIA_SECRET_DEMO_PIN_HLM_STRESA_HOTEL_STRESA_1011"
}

resource "kalliope_extension" "hotel_stresa_1012" {
  name         = "hotel-stresa-1012"
  tenant       = kalliope_pbx.hotel_stresa.tenant
  pbx          = kalliope_pbx.hotel_stresa.name
  number       = "1012"
  license      = "start"
  pin_from_env = "OMNIA_SECRET_DEMO_PIN_HLM_STRESA_HOTEL_STRESA_1012"
}

resource "kalliope_extension" "hotel_stresa_1013" {
  name         = "hotel-stresa-1013"
  tenant       = kalliope_pbx.hotel_stresa.tenant
  pbx          = kalliope_pbx.hotel_stresa.name
  number       = "1013"
  license      = "start"
  pin_from_env = "OMNIA_SECRET_DEMO_PIN_HLM_STRESA_HOTEL_STRESA_1013"
}

resource "kalliope_extension" "hotel_stresa_1014" {
  name         = "hotel-stresa-1014"
  tenant       = kalliope_pbx.hotel_stresa.tenant
  pbx          = kalliope_pbx.hotel_stresa.name
  number       = "1014"
  license      = "start"
  pin_from_env = "OMNIA_SECRET_DEMO_PIN_HLM_STRESA_HOTEL_STRESA_1014"
}
