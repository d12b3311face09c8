/**
 * vitest globalSetup: makes a PostgreSQL server available to the store tests as
 * `OMNIA_TEST_DATABASE_URL`. When that variable is already set (a server of your own, or
 * CI's), it is used as is; otherwise a throwaway cluster is started for this run and
 * stopped at teardown. Test files each create a database of their own on it.
 */
import { startTestCluster } from "./postgres.js";

/** Starts the cluster (unless a URL is given) and returns its teardown. */
export default async function setup(): Promise<() => Promise<void>> {
  if (process.env.OMNIA_TEST_DATABASE_URL) return async () => {};
  const cluster = await startTestCluster();
  // Test workers are forked after global setup and inherit this environment.
  process.env.OMNIA_TEST_DATABASE_URL = cluster.url;
  return async () => {
    delete process.env.OMNIA_TEST_DATABASE_URL;
    await cluster.stop();
  };
}
