import Ajv from 'ajv';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { parse, parseDocument } from 'yaml';
import { TemplateSet } from './go-template.engine';
import { GoMap, GoValue, isMap } from './go-template.values';
import { TEMPLATE_FUNCTIONS, YAML_VERSION } from './template.functions';

/**
 * What `helm template` does for one chart, offline: merge values, check them against values.schema.json,
 * render every template, split and parse the manifests, sort them in Helm's install order. Subcharts are not
 * rendered: an enabled dependency is reported, and callers that need a complete render refuse it.
 */

export interface ChartDependency {
  name: string;
  version: string;
  repository: string;
  condition?: string;
}

export interface ChartMetadata {
  apiVersion: string;
  name: string;
  version: string;
  appVersion?: string;
  description?: string;
  type?: string;
  kubeVersion?: string;
  dependencies?: ChartDependency[];
}

export interface Chart {
  dir: string;
  metadata: ChartMetadata;
  values: GoMap;
  schema?: object;
  /** Template files by Helm's name for them, `<chart>/templates/<file>`. */
  templates: ReadonlyMap<string, string>;
}

export interface Release {
  name: string;
  namespace: string;
  /** `.Release.Service`, which the chart puts in `app.kubernetes.io/managed-by` ("Helm" under Helm). */
  service?: string;
}

export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  [field: string]: unknown;
}

export interface Manifest {
  /** The template it came from, as `helm template` prints it in `# Source:`. */
  source: string;
  /** The document's text as rendered. */
  text: string;
  object: K8sObject;
  /** A Helm hook (`helm.sh/hook` annotation): run by Helm around install/upgrade, not part of the release. */
  hook: boolean;
}

export interface RenderResult {
  values: GoMap;
  manifests: Manifest[];
  notes: string;
  /** Dependencies whose condition is true: their objects are not in `manifests`. */
  unrenderedDependencies: string[];
}

export class ChartError extends Error {
  constructor(message: string) {
    super(message);
    this.name = ChartError.name;
  }
}

/** Helm's install order (pkg/releaseutil/kind_sorter.go); kinds not listed come last. */
const INSTALL_ORDER = [
  'PriorityClass',
  'Namespace',
  'NetworkPolicy',
  'ResourceQuota',
  'LimitRange',
  'PodSecurityPolicy',
  'PodDisruptionBudget',
  'ServiceAccount',
  'Secret',
  'SecretList',
  'ConfigMap',
  'StorageClass',
  'PersistentVolume',
  'PersistentVolumeClaim',
  'CustomResourceDefinition',
  'ClusterRole',
  'ClusterRoleList',
  'ClusterRoleBinding',
  'ClusterRoleBindingList',
  'Role',
  'RoleList',
  'RoleBinding',
  'RoleBindingList',
  'Service',
  'DaemonSet',
  'Pod',
  'ReplicationController',
  'ReplicaSet',
  'Deployment',
  'HorizontalPodAutoscaler',
  'StatefulSet',
  'Job',
  'CronJob',
  'IngressClass',
  'Ingress',
  'APIService',
];

const NO_VALUE = /<no value>/g;

function readYaml(path: string): unknown {
  return parse(readFileSync(path, 'utf8'), { version: YAML_VERSION });
}

/**
 * The chart's .helmignore as a predicate on paths relative to the chart: `*` and `?` globs, a pattern without
 * a slash matches any path segment (enough for the patterns `helm create` writes; no negation).
 */
function helmignore(dir: string): (path: string) => boolean {
  const file = join(dir, '.helmignore');
  const patterns = existsSync(file)
    ? readFileSync(file, 'utf8')
        .split('\n')
        .map((l) => l.trim().replace(/\/$/, ''))
        .filter((l) => l && !l.startsWith('#'))
    : [];
  const regexes = patterns.map((p) => {
    const body = p
      .replace(/[.+^${}()|[\]\\]/g, '\\$&')
      .replace(/\*/g, '[^/]*')
      .replace(/\?/g, '[^/]');
    return { anchored: p.includes('/'), regex: new RegExp(`^${body}$`) };
  });
  return (path) => {
    const segments = path.split('/');
    const prefixes = segments.map((_, k) => segments.slice(0, k + 1).join('/'));
    return regexes.some(({ anchored, regex }) => (anchored ? prefixes : segments).some((s) => regex.test(s)));
  };
}

export function loadChart(dir: string): Chart {
  const metadata = readYaml(join(dir, 'Chart.yaml')) as ChartMetadata;
  if (!metadata?.name || !metadata.version) throw new ChartError(`${dir}/Chart.yaml: name and version are required`);
  const values = (existsSync(join(dir, 'values.yaml')) ? readYaml(join(dir, 'values.yaml')) : {}) ?? {};
  if (!isMap(values as GoValue)) throw new ChartError(`${dir}/values.yaml: expected a map`);
  const schemaPath = join(dir, 'values.schema.json');
  const schema = existsSync(schemaPath) ? (JSON.parse(readFileSync(schemaPath, 'utf8')) as object) : undefined;
  const ignored = helmignore(dir);
  const templates = new Map<string, string>();
  const templatesDir = join(dir, 'templates');
  for (const file of readdirSync(templatesDir).sort()) {
    if (ignored(`templates/${file}`)) continue;
    templates.set(`${metadata.name}/templates/${file}`, readFileSync(join(templatesDir, file), 'utf8'));
  }
  return { dir, metadata, values: values as GoMap, schema, templates };
}

/** Helm's coalescing of user values over chart defaults: maps merge deeply, `null` deletes a default. */
export function mergeValues(base: GoMap, override: GoMap): GoMap {
  const out: GoMap = { ...base };
  for (const [key, value] of Object.entries(override)) {
    if (value === null) delete out[key];
    else if (isMap(value) && isMap(out[key])) out[key] = mergeValues(out[key] as GoMap, value);
    else out[key] = value;
  }
  return out;
}

/** Every way `values` breaks the chart's schema, one line each (empty when they are valid). */
export function schemaErrors(schema: object, values: GoMap): string[] {
  const ajv = new Ajv({ allErrors: true, strict: true });
  const validate = ajv.compile(schema);
  if (validate(values)) return [];
  return (validate.errors ?? []).map((e) => {
    const detail = e.keyword === 'additionalProperties' ? ` (${String(e.params.additionalProperty)})` : '';
    return `${e.instancePath || '(root)'}: ${e.message}${detail}`;
  });
}

function lookup(values: GoMap, path: string): GoValue {
  let v: GoValue = values;
  for (const key of path.split('.')) v = isMap(v) ? v[key] : undefined;
  return v;
}

/** Splits a rendered file the way Helm does (releaseutil.SplitManifests) and parses each document. */
function splitManifests(source: string, rendered: string): Manifest[] {
  const manifests: Manifest[] = [];
  for (const part of rendered.split(/(?:^|\s*\n)---\s*/)) {
    const text = part.trim();
    if (!text) continue;
    const doc = parseDocument(text, { version: YAML_VERSION });
    if (doc.errors.length) throw new ChartError(`YAML parse error on ${source}: ${doc.errors[0].message}\n${text}`);
    const object = doc.toJS() as K8sObject | null;
    // Helm drops documents that hold nothing but comments.
    if (object === null || object === undefined) continue;
    if (typeof object !== 'object' || !object.apiVersion || !object.kind || !object.metadata?.name) {
      throw new ChartError(`${source}: a document without apiVersion, kind or metadata.name:\n${text}`);
    }
    const hook = Boolean(object.metadata.annotations?.['helm.sh/hook']);
    manifests.push({ source, text, object, hook });
  }
  return manifests;
}

function installRank(kind: string): number {
  const rank = INSTALL_ORDER.indexOf(kind);
  return rank < 0 ? INSTALL_ORDER.length : rank;
}

function compareManifests(a: Manifest, b: Manifest): number {
  if (a.hook !== b.hook) return a.hook ? 1 : -1;
  return (
    installRank(a.object.kind) - installRank(b.object.kind) ||
    a.object.kind.localeCompare(b.object.kind) ||
    a.object.metadata.name.localeCompare(b.object.metadata.name)
  );
}

export function renderChart(chart: Chart, release: Release, overrides: GoMap = {}): RenderResult {
  const values = mergeValues(chart.values, overrides);
  if (chart.schema) {
    const errors = schemaErrors(chart.schema, values);
    if (errors.length) {
      throw new ChartError(
        `values don't meet the specifications of the schema(s) in the following chart(s):\n${chart.metadata.name}:\n${errors.map((e) => `- ${e}`).join('\n')}`,
      );
    }
  }
  const unrenderedDependencies = (chart.metadata.dependencies ?? [])
    .filter((d) => !d.condition || lookup(values, d.condition) !== false)
    .map((d) => d.name);

  const set = new TemplateSet(TEMPLATE_FUNCTIONS);
  for (const [name, source] of chart.templates) set.add(name, source);

  const m = chart.metadata;
  const top = (templateName: string): GoMap => ({
    Values: values,
    Release: {
      Name: release.name,
      Namespace: release.namespace,
      Service: release.service ?? 'Helm',
      IsInstall: true,
      IsUpgrade: false,
      Revision: 1n,
    },
    Chart: {
      APIVersion: m.apiVersion,
      Name: m.name,
      Version: m.version,
      AppVersion: m.appVersion ?? '',
      Description: m.description ?? '',
      Type: m.type ?? 'application',
      KubeVersion: m.kubeVersion ?? '',
    },
    Template: { Name: templateName, BasePath: `${m.name}/templates` },
  });

  const manifests: Manifest[] = [];
  let notes = '';
  for (const name of chart.templates.keys()) {
    const file = basename(name);
    if (file.startsWith('_')) continue;
    if (file === 'NOTES.txt') {
      notes = set.execute(name, top(name)).replace(NO_VALUE, '');
      continue;
    }
    if (!/\.ya?ml$/.test(file)) throw new ChartError(`${name}: templates must be .yaml, .yml, _*.tpl or NOTES.txt`);
    manifests.push(...splitManifests(name, set.execute(name, top(name)).replace(NO_VALUE, '')));
  }
  manifests.sort(compareManifests);
  const seen = new Set<string>();
  for (const { object } of manifests) {
    const id = `${object.kind}/${object.metadata.name}`;
    if (seen.has(id)) throw new ChartError(`two objects named ${id}`);
    seen.add(id);
  }
  return { values, manifests, notes, unrenderedDependencies };
}

/** The manifests as `helm template` prints them. */
export function formatManifests(manifests: readonly Manifest[]): string {
  return manifests.map((m) => `---\n# Source: ${m.source}\n${m.text}\n`).join('');
}
