import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { Chart, formatManifests, loadChart, mergeValues, renderChart, schemaErrors } from './helm.chart';

const RELEASE = { name: 'demo', namespace: 'shop' };

/** A small chart on disk: `files` maps paths inside the chart to their text. */
function writeChart(files: Record<string, string>): { dir: string; chart: () => Chart } {
  const dir = mkdtempSync(join(tmpdir(), 'chart-'));
  const all: Record<string, string> = {
    'Chart.yaml': 'apiVersion: v2\nname: demo\nversion: 1.2.3\nappVersion: "4.5"\n',
    ...files,
  };
  for (const [path, text] of Object.entries(all)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return { dir, chart: () => loadChart(dir) };
}

describe('helm chart rendering', () => {
  const dirs: string[] = [];
  const chartOf = (files: Record<string, string>) => {
    const c = writeChart(files);
    dirs.push(c.dir);
    return c.chart();
  };
  afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

  const configMap = (name: string) =>
    `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\n  namespace: {{ .Release.Namespace }}\ndata:\n  chart: {{ .Chart.Name }}-{{ .Chart.Version }}-{{ .Chart.AppVersion }}\n  release: {{ .Release.Name }}/{{ .Release.Service }}\n`;

  it('renders every template, splits documents, and sorts them in install order with hooks last', () => {
    const chart = chartOf({
      'values.yaml': 'names: [b, a]\n',
      'templates/_helpers.tpl': '{{ define "demo.name" }}{{ .Release.Name }}-{{ .name }}{{ end }}',
      'templates/a-deploy.yaml':
        '{{- range .Values.names }}\n---\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {{ . }}\n{{- end }}\n',
      'templates/b-config.yaml': configMap('cfg'),
      'templates/c-hook.yaml':
        'apiVersion: batch/v1\nkind: Job\nmetadata:\n  name: migrate\n  annotations:\n    helm.sh/hook: pre-install\n',
      'templates/d-svc.yaml':
        '# a comment only document is dropped with the separator\n---\napiVersion: v1\nkind: Service\nmetadata:\n  name: svc\n',
      'templates/NOTES.txt': 'Installed {{ .Release.Name }}{{ .Values.missing }}.',
    });
    const result = renderChart(chart, RELEASE);
    expect(result.manifests.map((m) => `${m.object.kind}/${m.object.metadata.name}${m.hook ? ' (hook)' : ''}`)).toEqual(
      ['ConfigMap/cfg', 'Service/svc', 'Deployment/a', 'Deployment/b', 'Job/migrate (hook)'],
    );
    expect(result.manifests[0].object).toMatchObject({
      metadata: { namespace: 'shop' },
      data: { chart: 'demo-1.2.3-4.5', release: 'demo/Helm' },
    });
    expect(result.notes).toBe('Installed demo.');
    expect(formatManifests(result.manifests.slice(0, 1))).toBe(
      '---\n# Source: demo/templates/b-config.yaml\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cfg\n  namespace: shop\ndata:\n  chart: demo-1.2.3-4.5\n  release: demo/Helm\n',
    );
  });

  it('merges overrides over the defaults: maps deeply, null deletes', () => {
    expect(mergeValues({ a: { b: 1, c: 2 }, d: [1], e: 'x' }, { a: { c: 3 }, d: [2, 3], e: null })).toEqual({
      a: { b: 1, c: 3 },
      d: [2, 3],
    });
    const chart = chartOf({
      'values.yaml': 'svc:\n  port: 80\n  name: web\n',
      'templates/cm.yaml':
        'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Values.svc.name }}\ndata:\n  port: {{ .Values.svc.port | quote }}\n',
    });
    const [cm] = renderChart(chart, RELEASE, { svc: { port: 8080 } }).manifests;
    expect(cm.object).toMatchObject({ metadata: { name: 'web' }, data: { port: '8080' } });
  });

  it('validates values against values.schema.json before rendering', () => {
    const schema = {
      type: 'object',
      additionalProperties: false,
      properties: { port: { type: 'integer' }, name: { type: 'string' } },
    };
    const chart = chartOf({
      'values.yaml': 'port: 80\nname: web\n',
      'values.schema.json': JSON.stringify(schema),
      'templates/cm.yaml': configMap('cfg'),
    });
    expect(schemaErrors(schema, { port: 'x', extra: 1 })).toEqual([
      '(root): must NOT have additional properties (extra)',
      '/port: must be integer',
    ]);
    expect(() => renderChart(chart, RELEASE, { port: 'eighty' })).toThrow(/schema[\s\S]*\/port: must be integer/);
    expect(renderChart(chart, RELEASE, { port: 81 }).manifests).toHaveLength(1);
  });

  it('reports dependencies it does not render when their condition holds', () => {
    const chart = chartOf({
      'Chart.yaml':
        'apiVersion: v2\nname: demo\nversion: 1.0.0\ndependencies:\n  - name: nats\n    version: 1.x.x\n    repository: https://example.invalid\n    condition: nats.enabled\n',
      'values.yaml': 'nats:\n  enabled: false\n',
      'templates/cm.yaml': configMap('cfg'),
    });
    expect(renderChart(chart, RELEASE).unrenderedDependencies).toEqual([]);
    expect(renderChart(chart, RELEASE, { nats: { enabled: true } }).unrenderedDependencies).toEqual(['nats']);
  });

  it('honours .helmignore for templates', () => {
    const chart = chartOf({
      '.helmignore': '# editor files\n*.swp\ntemplates/.prettierrc.yaml\n',
      'templates/.prettierrc.yaml': 'requirePragma: true\n',
      'templates/cm.yaml.swp': 'junk',
      'templates/cm.yaml': configMap('cfg'),
    });
    expect([...chart.templates.keys()]).toEqual(['demo/templates/cm.yaml']);
  });

  it('fails on YAML errors, documents without a kind, duplicate objects and stray files', () => {
    const render = (files: Record<string, string>) => () => renderChart(chartOf(files), RELEASE);
    expect(render({ 'templates/bad.yaml': 'a: [1\n' })).toThrow('YAML parse error on demo/templates/bad.yaml');
    expect(render({ 'templates/nokind.yaml': 'apiVersion: v1\nmetadata:\n  name: x\n' })).toThrow(
      'a document without apiVersion, kind or metadata.name',
    );
    expect(render({ 'templates/a.yaml': configMap('same'), 'templates/b.yaml': configMap('same') })).toThrow(
      'two objects named ConfigMap/same',
    );
    expect(render({ 'templates/readme.md': '# hi' })).toThrow('templates must be .yaml');
  });
});
