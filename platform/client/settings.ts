/**
 * Where the client connects and as whom: `OMNIA_URL`, `OMNIA_DOMAIN`, `OMNIA_USERNAME`,
 * `OMNIA_PASSWORD` everywhere (issue #3).
 */

/** Connection settings of an `OmniaClient`. */
export interface ClientSettings {
  /** Platform base URL, without `/rest` (e.g. `http://127.0.0.1:8090`). */
  baseUrl: string;
  /** Partner domain (the digest's `Domain`). */
  domain: string;
  username: string;
  password: string;
}

/** Error text when a setting is missing from the environment. */
export const errMissingEnv = "missing environment variable";

/** Reads the settings from the environment; throws naming every missing variable. */
export function clientSettingsFromEnv(env: NodeJS.ProcessEnv = process.env): ClientSettings {
  const names = ["OMNIA_URL", "OMNIA_DOMAIN", "OMNIA_USERNAME", "OMNIA_PASSWORD"] as const;
  const missing = names.filter((n) => !env[n]);
  if (missing.length > 0) throw new Error(`${errMissingEnv}: ${missing.join(", ")}`);
  return {
    baseUrl: (env.OMNIA_URL ?? "").replace(/\/+$/, ""),
    domain: env.OMNIA_DOMAIN ?? "",
    username: env.OMNIA_USERNAME ?? "",
    password: env.OMNIA_PASSWORD ?? "",
  };
}
