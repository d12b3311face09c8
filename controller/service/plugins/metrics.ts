/**
 * `GET /metrics` in Prometheus's text format from the app's own registry. Public, as
 * Prometheus scrapes without a token: bind the service to a private address or put the
 * scrape behind the network's own rules. Before each scrape the queue depth and the lease
 * holders are read from the store, so every replica reports the shared queue as it is.
 */
import type { FastifyInstance } from "fastify";
import fp from "fastify-plugin";
import type { ControllerMetrics } from "../metrics.js";
import type { ServiceStore } from "../ports.js";

declare module "fastify" {
  interface FastifyInstance {
    /** The app's metrics observer (give it to the scheduler and the platform client). */
    metrics: ControllerMetrics;
  }
}

/** Options of the metrics plugin. */
export interface MetricsPluginOptions {
  metrics: ControllerMetrics;
  store: ServiceStore;
}

async function metricsPlugin(app: FastifyInstance, opts: MetricsPluginOptions): Promise<void> {
  app.decorate("metrics", opts.metrics);
  app.get(
    "/metrics",
    {
      config: { public: true, rateLimit: false },
      schema: {
        tags: ["operations"],
        summary: "Prometheus metrics (text exposition format)",
        produces: ["text/plain"],
        response: { 200: { type: "string" } },
      },
    },
    async (_request, reply) => {
      const [depth, leases] = await Promise.all([opts.store.queueDepth(), opts.store.listLeases()]);
      opts.metrics.queueDepth(depth);
      opts.metrics.leaseHolders(leases);
      reply.type(opts.metrics.registry.contentType);
      return opts.metrics.registry.metrics();
    },
  );
}

/** Registers `/metrics` and `app.metrics`. */
export const metricsPluginFp = fp(metricsPlugin, { name: "service-metrics" });
