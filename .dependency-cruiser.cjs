/**
 * Layer rules, checked by `npm run depcheck` (part of `npm run check`).
 * See STYLE.md: domain code is plain TypeScript; apps never import each other; libs never import apps.
 */
const FRAMEWORKS = '(^|/)node_modules/(@nestjs|typeorm|pg|nats|@grpc|express|@opentelemetry|opossum|prom-client|pino)/';

module.exports = {
  forbidden: [
    {
      name: 'domain-is-framework-free',
      comment: 'apps/*/src/domain imports no framework, ORM, driver or transport.',
      severity: 'error',
      from: { path: '^apps/[^/]+/src/domain/' },
      to: { path: FRAMEWORKS },
    },
    {
      name: 'domain-does-not-reach-out',
      comment:
        "apps/*/src/domain does not import the app's infra, api or application layers, nor the platform — except the framework-free domain error classes (stable codes, mapped to transports in one place).",
      severity: 'error',
      from: { path: '^apps/([^/]+)/src/domain/' },
      to: {
        path: ['^apps/[^/]+/src/(infra|api|application)/', '^libs/platform/'],
        pathNot: '^libs/platform/src/errors/domain-error\\.ts$',
      },
    },
    {
      name: 'application-does-not-import-api',
      severity: 'error',
      from: { path: '^apps/([^/]+)/src/application/' },
      to: { path: '^apps/$1/src/api/' },
    },
    {
      name: 'no-app-imports-another-app',
      severity: 'error',
      from: { path: '^apps/([^/]+)/' },
      to: { path: '^apps/', pathNot: '^apps/$1/' },
    },
    {
      name: 'libs-do-not-import-apps',
      severity: 'error',
      from: { path: '^libs/' },
      to: { path: '^apps/' },
    },
    {
      name: 'algorithm-libs-are-framework-free',
      comment:
        "Algorithms (recommenders, forecasting, inventory) and contracts' event schemas run in a CLI or benchmark too.",
      severity: 'error',
      from: { path: '^libs/(recsys|forecasting|inventory)/' },
      to: { path: [FRAMEWORKS, '^libs/platform/'] },
    },
    {
      name: 'production-code-does-not-import-test-helpers',
      severity: 'error',
      from: {
        path: '^(apps|libs)/',
        pathNot: ['\\.(spec|int-spec|e2e-spec)\\.ts$', '^libs/testing/', '/test/', '/testing/'],
      },
      to: { path: '^libs/testing/' },
    },
    {
      name: 'no-circular',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: ['^dist/', '^libs/contracts/src/generated/'] },
    tsConfig: { fileName: 'tsconfig.json' },
    tsPreCompilationDeps: true,
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default'] },
  },
};
