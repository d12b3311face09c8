variable "controller_url" {
  description = "URL of the omnia controller API. Null: the provider reads OMNIA_CONTROLLER_URL."
  type        = string
  default     = null
}

variable "omnia_token" {
  description = "Controller API token (omn_..., scope write). Null: the provider reads OMNIA_TOKEN, which keeps it out of every file."
  type        = string
  default     = null
  sensitive   = true
}
