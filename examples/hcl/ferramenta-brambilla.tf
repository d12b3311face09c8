# Ferramenta Brambilla: two PBXs (magazzino-bergamo in group rete-lombarda), a Fastweb trunk, 7 number blocks.

resource "kalliope_tenant" "ferramenta_brambilla" {
  name          = "ferramenta-brambilla"
  business_name = "Ferramenta Brambilla S.r.l."
  customer_code = "BRAMBILLA01"
  vat_number    = "08712340150"
  fiscal_code   = "08712340150"
  omnia_manager = true
}

resource "kalliope_user" "giulia_brambilla" {
  name                 = "giulia-brambilla"
  tenant               = kalliope_tenant.ferramenta_brambilla.customer_code
  first_name           = "Giulia"
  last_name            = "Brambilla"
  email                = "giulia.brambilla@ferramenta-brambilla.example"
  department           = "Direzione"
  admin_console_role   = "admin"
  omnia_manager_role   = "pbxAdmin"
  may_manage_customers = false
}

resource "kalliope_user" "marco_colombo" {
  name               = "marco-colombo"
  tenant             = kalliope_tenant.ferramenta_brambilla.customer_code
  first_name         = "Marco"
  last_name          = "Colombo"
  email              = "marco.colombo@ferramenta-brambilla.example"
  department         = "Amministrazione"
  admin_console_role = "viewer"
  omnia_manager_role = "viewer"
}

resource "kalliope_user" "francesca_ferrari" {
  name       = "francesca-ferrari"
  tenant     = kalliope_tenant.ferramenta_brambilla.customer_code
  first_name = "Francesca"
  last_name  = "Ferrari"
  email      = "francesca.ferrari@ferramenta-brambilla.example"
  department = "Vendite"
}

resource "kalliope_user" "luca_galli" {
  name       = "luca-galli"
  tenant     = kalliope_tenant.ferramenta_brambilla.customer_code
  ignore     = ["spec.department"]
  first_name = "Luca"
  last_name  = "Galli"
  email      = "luca.galli@ferramenta-brambilla.example"
  department = "Magazzino"
}

resource "kalliope_sip_trunk" "fastweb_milano" {
  name              = "fastweb-milano"
  tenant            = kalliope_tenant.ferramenta_brambilla.customer_code
  description       = "Trunk principale sede di Milano"
  operator          = "Fastweb"
  endpoint          = "sip.fastweb-voip.example:5060"
  auth_required     = true
  username          = "brambilla01"
  password_from_env = "OMNIA_SECRET_DEMO_TRUNK_BRAMBILLA01_FASTWEB_MILANO"
}

resource "kalliope_pbx" "magazzino_bergamo" {
  name   = "magazzino-bergamo"
  tenant = kalliope_tenant.ferramenta_brambilla.customer_code
  labels = { site = "bergamo" }
  kind   = "group"
  group  = "rete-lombarda"
}

resource "kalliope_pbx" "sede_milano" {
  name        = "sede-milano"
  tenant      = kalliope_tenant.ferramenta_brambilla.customer_code
  kind        = "single"
  call_center = true
}

resource "kalliope_number" "did_390287654000" {
  name         = "did-390287654000"
  tenant       = kalliope_tenant.ferramenta_brambilla.customer_code
  number       = "+390287654000"
  block_digits = 3
  pbx          = kalliope_pbx.sede_milano.name
  trunk        = kalliope_sip_trunk.fastweb_milano.name
}

resource "kalliope_number" "did_390287655100" {
  name         = "did-390287655100"
  tenant       = kalliope_tenant.ferramenta_brambilla.customer_code
  number       = "+390287655100"
  block_digits = 2
  pbx          = kalliope_pbx.sede_milano.name
  trunk        = kalliope_sip_trunk.fastweb_milano.name
}

resource "kalliope_number" "did_390287655200" {
  name         = "did-390287655200"
  tenant       = kalliope_tenant.ferramenta_brambilla.customer_code
  number       = "+390287655200"
  block_digits = 2
  pbx          = kalliope_pbx.sede_milano.name
  trunk        = kalliope_sip_trunk.fastweb_milano.name
}

resource "kalliope_number" "did_390287655310" {
  name         = "did-390287655310"
  tenant       = kalliope_tenant.ferramenta_brambilla.customer_code
  number       = "+390287655310"
  block_digits = 1
  pbx          = kalliope_pbx.sede_milano.name
  trunk        = kalliope_sip_trunk.fastweb_milano.name
}

resource "kalliope_number" "did_390354567800" {
  name         = "did-390354567800"
  tenant       = kalliope_tenant.ferramenta_brambilla.customer_code
  number       = "+390354567800"
  block_digits = 2
  pbx          = kalliope_pbx.magazzino_bergamo.name
  trunk        = kalliope_sip_trunk.fastweb_milano.name
}

resource "kalliope_number" "did_390354567910" {
  name         = "did-390354567910"
  tenant       = kalliope_tenant.ferramenta_brambilla.customer_code
  number       = "+390354567910"
  block_digits = 1
  pbx          = kalliope_pbx.magazzino_bergamo.name
  trunk        = kalliope_sip_trunk.fastweb_milano.name
}

resource "kalliope_number" "did_390354567920" {
  name         = "did-390354567920"
  tenant       = kalliope_tenant.ferramenta_brambilla.customer_code
  number       = "+390354567920"
  block_digits = 1
  pbx          = kalliope_pbx.magazzino_bergamo.name
  trunk        = kalliope_sip_trunk.fastweb_milano.name
}

resource "kalliope_extension" "magazzino_bergamo_301" {
  name         = "magazzino-bergamo-301"
  tenant       = kalliope_pbx.magazzino_bergamo.tenant
  pbx          = kalliope_pbx.magazzino_bergamo.name
  number       = "301"
  license      = "plus"
  pin_from_env = "OMNIA_SECRET_DEMO_PIN_BRAMBILLA01_MAGAZZINO_BERGAMO_301"
  user         = { email = "luca.galli@ferramenta-brambilla.example" }
  depends_on   = [kalliope_user.luca_galli]
}

resource "kalliope_extension" "magazzino_bergamo_302" {
  name         = "magazzino-bergamo-302"
  tenant       = kalliope_pbx.magazzino_bergamo.tenant
  pbx          = kalliope_pbx.magazzino_bergamo.name
  number       = "302"
  license      = "plus"
  pin_from_env = "OMNIA_SECRET_DEMO_PIN_BRAMBILLA01_MAGAZZINO_BERGAMO_302"
  user         = { email = "andrea.moretti@ferramenta-brambilla.example", first_name = "Andrea", last_name = "Moretti" }
}

resource "kalliope_extension" "magazzino_bergamo_303" {
  name         = "magazzino-bergamo-303"
  tenant       = kalliope_pbx.magazzino_bergamo.tenant
  pbx          = kalliope_pbx.magazzino_bergamo.name
  number       = "303"
  license      = "start"
  pin_from_env = "OMNIA_SECRET_DEMO_PIN_BRAMBILLA01_MAGAZZINO_BERGAMO_303"
}

resource "kalliope_extension" "magazzino_bergamo_304" {
  name         = "magazzino-bergamo-304"
  tenant       = kalliope_pbx.magazzino_bergamo.tenant
  pbx          = kalliope_pbx.magazzino_bergamo.name
  number       = "304"
  license      = "start"
  pin_from_env = "OMNIA_SECRET_DEMO_PIN_BRAMBILLA01_MAGAZZINO_BERGAMO_304"
}

resource "kalliope_extension" "magazzino_bergamo_305" {
  name         = "magazzino-bergamo-305"
  tenant       = kalliope_pbx.magazzino_bergamo.tenant
  pbx          = kalliope_pbx.magazzino_bergamo.name
  number       = "305"
  license      = "start"
  pin_from_env = "OMNIA_SECRET_DEMO_PIN_BRAMBILLA01_MAGAZZINO_BERGAMO_305"
}

resource "kalliope_extension" "magazzino_bergamo_306" {
  name         = "magazzino-bergamo-306"
  tenant       = kalliope_pbx.magazzino_bergamo.tenant
  pbx          = kalliope_pbx.magazzino_bergamo.name
  number       = "306"
  license      = "start"
  pin_from_env = "OMNIA_SECRET_DEMO_PIN_BRAMBILLA01_MAGAZZINO_BERGAMO_306"
}

resource "kalliope_extension" "magazzino_bergamo_307" {
  name         = "magazzino-bergamo-307"
  tenant       = kalliope_pbx.magazzino_bergamo.tenant
  pbx          = kalliope_pbx.magazzino_bergamo.name
  number       = "307"
  license      = "start"
  pin_from_env = "OMNIA_SECRET_DEMO_PIN_BRAMBILLA01_MAGAZZINO_BERGAMO_307"
}

resource "kalliope_extension" "magazzino_bergamo_308" {
  name         = "magazzino-bergamo-308"
  tenant       = kalliope_pbx.magazzino_bergamo.tenant
  pbx          = kalliope_pbx.magazzino_bergamo.name
  number       = "308"
  license      = "start"
  pin_from_env = "OMNIA_SECRET_DEMO_PIN_BRAMBILLA01_MAGAZZINO_BERGAMO_308"
}

resource "kalliope_extension" "magazzino_bergamo_309" {
  name         = "magazzino-bergamo-309"
  tenant       = kalliope_pbx.magazzino_bergamo.tenant
  pbx          = kalliope_pbx.magazzino_bergamo.name
  number       = "309"
  license      = "start"
  pin_from_env = "OMNIA_SECRET_DEMO_PIN_BRAMBILLA01_MAGAZZINO_BERGAMO_309"
}

resource "kalliope_extension" "magazzino_bergamo_310" {
  name         = "magazzino-bergamo-310"
  tenant       = kalliope_pbx.magazzino_bergamo.tenant
  pbx          = kalliope_pbx.magazzino_bergamo.name
  number       = "310"
  license      = "start"
  pin_from_env = "OMNIA_SECRET_DEMO_PIN_BRAMBILLA01_MAGAZZINO_BERGAMO_310"
}

resource "kalliope_extension" "sede_milano_201" {
  name         = "sede-milano-201"
  tenant       = kalliope_pbx.sede_milano.tenant
  pbx          = kalliope_pbx.sede_milano.name
  number       = "201"
  license      = "plus"
  pin_from_env = "OMNIA_SECRET_DEMO_PIN_BRAMBILLA01_SEDE_MILANO_201"
  user         = { email = "giulia.brambilla@ferramenta-brambilla.example" }
  depends_on   = [kalliope_user.giulia_brambilla]
}

resource "kalliope_extension" "sede_milano_202" {
  name         = "sede-milano-202"
  tenant       = kalliope_pbx.sede_milano.tenant
  pbx          = kalliope_pbx.sede_milano.name
  number       = "202"
  license      = "start"
  pin_from_env = "OMNIA_SECRET_DEMO_PIN_BRAMBILLA01_SEDE_MILANO_202"
  user         = { email = "marco.colombo@ferramenta-brambilla.example" }
  depends_on   = [kalliope_user.marco_colombo]
}

resource "kalliope_extension" "sede_milano_203" {
  name         = "sede-milano-203"
  tenant       = kalliope_pbx.sede_milano.tenant
  pbx          = kalliope_pbx.sede_milano.name
  number       = "203"
  license      = "start"
  pin_from_env = "OMNIA_SECRET_DEMO_PIN_BRAMBILLA01_SEDE_MILANO_203"
  user         = { email = "francesca.ferrari@ferramenta-brambilla.example" }
  depends_on   = [kalliope_user.francesca_ferrari]
}

resource "kalliope_extension" "sede_milano_204" {
  name         = "sede-milano-204"
  tenant       = kalliope_pbx.sede_milano.tenant
  pbx          = kalliope_pbx.sede_milano.name
  number       = "204"
  license      = "plus"
  pin_from_env = "OMNIA_SECRET_DEMO_PIN_BRAMBILLA01_SEDE_MILANO_204"
  user         = { email = "sara.villa@ferramenta-brambilla.example", first_name = "Sara", last_name = "Villa" }
}

resource "kalliope_extension" "sede_milano_205" {
  name         = "sede-milano-205"
  tenant       = kalliope_pbx.sede_milano.tenant
  pbx          = kalliope_pbx.sede_milano.name
  number       = "205"
  license      = "start"
  pin_from_env = "OMNIA_SECRET_DEMO_PIN_BRAMBILLA01_SEDE_MILANO_205"
  user         = { email = "paolo.fontana@ferramenta-brambilla.example", first_name = "Paolo", last_name = "Fontana" }
}

resource "kalliope_extension" "sede_milano_206" {
  name         = "sede-milano-206"
  tenant       = kalliope_pbx.sede_milano.tenant
  pbx          = kalliope_pbx.sede_milano.name
  number       = "206"
  license      = "start"
  pin_from_env = "OMNIA_SECRET_DEMO_PIN_BRAMBILLA01_SEDE_MILANO_206"
}

resource "kalliope_extension" "sede_milano_207" {
  name         = "sede-milano-207"
  tenant       = kalliope_pbx.sede_milano.tenant
  pbx          = kalliope_pbx.sede_milano.name
  number       = "207"
  license      = "plus"
  pin_from_env = "OMNIA_SECRET_DEMO_PIN_BRAMBILLA01_SEDE_MILANO_207"
}

resource "kalliope_extension" "sede_milano_208" {
  name         = "sede-milano-208"
  tenant       = kalliope_pbx.sede_milano.tenant
  pbx          = kalliope_pbx.sede_milano.name
  number       = "208"
  license      = "start"
  pin_from_env = "OMNIA_SECRET_DEMO_PIN_BRAMBILLA01_SEDE_MILANO_208"
}

resource "kalliope_extension" "sede_milano_209" {
  name         = "sede-milano-209"
  tenant       = kalliope_pbx.sede_milano.tenant
  pbx          = kalliope_pbx.sede_milano.name
  number       = "209"
  license      = "start"
  pin_from_env = "OMNIA_SECRET_DEMO_PIN_BRAMBILLA01_SEDE_MILANO_209"
}

resource "kalliope_extension" "sede_milano_210" {
  name         = "sede-milano-210"
  tenant       = kalliope_pbx.sede_milano.tenant
  pbx          = kalliope_pbx.sede_milano.name
  number       = "210"
  license      = "plus"
  pin_from_env = "OMNIA_SECRET_DEMO_PIN_BRAMBILLA01_SEDE_MILANO_210"
  user         = { email = "sara.villa@ferramenta-brambilla.example", first_name = "Sara", last_name = "Villa" }
}

resource "kalliope_extension" "sede_milano_211" {
  name         = "sede-milano-211"
  tenant       = kalliope_pbx.sede_milano.tenant
  pbx          = kalliope_pbx.sede_milano.name
  number       = "211"
  license      = "start"
  pin_from_env = "OMNIA_SECRET_DEMO_PIN_BRAMBILLA01_SEDE_MILANO_211"
}

resource "kalliope_extension" "sede_milano_212" {
  name         = "sede-milano-212"
  tenant       = kalliope_pbx.sede_milano.tenant
  pbx          = kalliope_pbx.sede_milano.name
  number       = "212"
  license      = "start"
  pin_from_env = "OMNIA_SECRET_DEMO_PIN_BRAMBILLA01_SEDE_MILANO_212"
}

resource "kalliope_extension" "sede_milano_213" {
  name         = "sede-milano-213"
  tenant       = kalliope_pbx.sede_milano.tenant
  pbx          = kalliope_pbx.sede_milano.name
  number       = "213"
  license      = "plus"
  pin_from_env = "OMNIA_SECRET_DEMO_PIN_BRAMBILLA01_SEDE_MILANO_213"
}

resource "kalliope_extension" "sede_milano_214" {
  name         = "sede-milano-214"
  tenant       = kalliope_pbx.sede_milano.tenant
  pbx          = kalliope_pbx.sede_milano.name
  number       = "214"
  license      = "start"
  pin_from_env = "OMNIA_SECRET_DEMO_PIN_BRAMBILLA01_SEDE_MILANO_214"
}

resource "kalliope_extension" "sede_milano_215" {
  name         = "sede-milano-215"
  tenant       = kalliope_pbx.sede_milano.tenant
  pbx          = kalliope_pbx.sede_milano.name
  number       = "215"
  license      = "start"
  pin_from_env = "OMNIA_SECRET_DEMO_PIN_BRAMBILLA01_SEDE_MILANO_215"
}

resource "kalliope_extension" "sede_milano_216" {
  name         = "sede-milano-216"
  tenant       = kalliope_pbx.sede_milano.tenant
  pbx          = kalliope_pbx.sede_milano.name
  number       = "216"
  license      = "plus"
  pin_from_env = "OMNIA_SECRET_DEMO_PIN_BRAMBILLA01_SEDE_MILANO_216"
}

resource "kalliope_extension" "sede_milano_217" {
  name         = "sede-milano-217"
  tenant       = kalliope_pbx.sede_milano.tenant
  pbx          = kalliope_pbx.sede_milano.name
  number       = "217"
  license      = "start"
  pin_from_env = "OMNIA_SECRET_DEMO_PIN_BRAMBILLA01_SEDE_MILANO_217"
}

resource "kalliope_extension" "sede_milano_218" {
  name         = "sede-milano-218"
  tenant       = kalliope_pbx.sede_milano.tenant
  pbx          = kalliope_pbx.sede_milano.name
  number       = "218"
  license      = "start"
  pin_from_env = "OMNIA_SECRET_DEMO_PIN_BRAMBILLA01_SEDE_MILANO_218"
}

resource "kalliope_extension" "sede_milano_219" {
  name         = "sede-milano-219"
  tenant       = kalliope_pbx.sede_milano.tenant
  pbx          = kalliope_pbx.sede_milano.name
  number       = "219"
  license      = "plus"
  pin_from_env = "OMNIA_SECRET_DEMO_PIN_BRAMBILLA01_SEDE_MILANO_219"
  status       = "suspended"
}

resource "kalliope_extension" "sede_milano_220" {
  name         = "sede-milano-220"
  tenant       = kalliope_pbx.sede_milano.tenant
  pbx          = kalliope_pbx.sede_milano.name
  number       = "220"
  license      = "start"
  pin_from_env = "OMNIA_SECRET_DEMO_PIN_BRAMBILLA01_SEDE_MILANO_220"
}
