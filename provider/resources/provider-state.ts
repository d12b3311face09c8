/**
 * What `configure` leaves for the resources and data sources: the controller client built
 * from the provider block (or its environment variables). Terraform calls
 * ConfigureProvider once per provider process before any call that needs the controller;
 * a call before it is a bug of the caller, answered with `errNotConfigured`.
 */
import type { ControllerClient } from "./controller-client.js";

/** A resource call came before ConfigureProvider. */
export const errNotConfigured = "the provider is not configured yet (ConfigureProvider was not called)";

/** The provider's configured state, shared by its resources and data sources. */
export interface ProviderState {
  /** The configured client; throws `errNotConfigured` before `configure`. */
  client(): ControllerClient;
  /** Sets the client (configure). */
  setClient(client: ControllerClient): void;
}

/** A new, unconfigured provider state. */
export function providerState(): ProviderState {
  let current: ControllerClient | undefined;
  return {
    client() {
      if (!current) throw new Error(errNotConfigured);
      return current;
    },
    setClient(client) {
      current = client;
    },
  };
}
