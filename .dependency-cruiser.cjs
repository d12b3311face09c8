/**
 * Import rules of omnia-iac (../shared/architecture.md): no cycles, and no import from a
 * lower layer to a higher one. `npm run lint` runs them, and controller/architecture.test.ts
 * makes `npm test` fail on a new violation.
 *
 * Layers of controller/, highest first: cli, service, scheduler, runtime, sources, engine,
 * (load, sheet, export), store, model. Inside the engine, by stage: reconcile, apply,
 * observe, plan, adapters. platform/ sits below controller/; test-support/ only serves
 * tests and benchmarks.
 */
const layers = [
  "cli",
  "service",
  "scheduler",
  "runtime",
  "sources",
  "engine",
  "load|sheet|export",
  "store",
  "model",
];
const stages = ["reconcile", "apply", "observe", "plan", "adapters"];

/** One rule per layer: it may not import any layer above it. */
const upward = (prefix, names, label) =>
  names.slice(1).map((name, i) => ({
    name: `no-upward-${label}-${name.replaceAll("|", "-")}`,
    comment: `${prefix}${name} must not import ${names.slice(0, i + 1).join(", ")} (a higher ${label})`,
    severity: "error",
    from: { path: `^${prefix}(${name})/`, pathNot: "\\.test\\.ts$" },
    to: { path: `^${prefix}(${names.slice(0, i + 1).join("|")})/` },
  }));

module.exports = {
  forbidden: [
    {
      name: "no-circular",
      comment: "An import cycle: split the shared part into its own module.",
      severity: "error",
      from: {},
      to: { circular: true },
    },
    {
      name: "no-test-support-in-production",
      comment: "Fakes and test helpers are for tests and benchmarks only; they are not built into dist/.",
      severity: "error",
      from: {
        path: "^(controller|platform|provider|schemas)/",
        pathNot: ["\\.test\\.ts$", "/test-support/", "/testing\\.ts$"],
      },
      to: { path: ["/test-support/", "^platform/standin/testing\\.ts$"] },
    },
    {
      name: "no-tests-in-production",
      comment: "Production code never imports a test file.",
      severity: "error",
      from: { pathNot: "\\.test\\.ts$" },
      to: { path: "\\.test\\.ts$" },
    },
    {
      name: "platform-below-controller",
      comment: "platform/ (client and stand-in) knows nothing of desired state or the controller.",
      severity: "error",
      from: { path: "^platform/" },
      to: { path: "^(controller|provider)/" },
    },
    {
      name: "client-not-standin",
      comment: "The client must not know the stand-in exists.",
      severity: "error",
      from: { path: "^platform/client/", pathNot: "\\.test\\.ts$" },
      to: { path: "^platform/standin/" },
    },
    {
      name: "standin-only-in-cli-and-tests",
      comment: "Only the CLI's demo and platform commands start the stand-in; the engine never does.",
      severity: "error",
      from: { path: "^controller/", pathNot: ["^controller/cli/", "\\.test\\.ts$", "/test-support/"] },
      to: { path: "^platform/standin/" },
    },
    {
      name: "plugin-knows-only-the-contract",
      comment:
        "provider/plugin/ speaks Terraform's wire protocol and reaches the resources only through provider/plugin/contract.ts; it imports nothing else of the project.",
      severity: "error",
      from: { path: "^provider/plugin/", pathNot: "\\.test\\.ts$" },
      to: { path: "^(controller|platform|schemas|provider/(?!plugin/))" },
    },
    ...upward("controller/", layers, "layer"),
    ...upward("controller/engine/", stages, "stage"),
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    exclude: { path: ["^dist/", "^node_modules/", "\\.gen\\.ts$"] },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.json" },
    enhancedResolveOptions: {
      extensions: [".ts", ".js"],
      exportsFields: ["exports"],
      conditionNames: ["import", "require", "node", "default"],
    },
  },
};
