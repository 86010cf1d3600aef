import { MetricsRegistry } from '@app/platform/metrics';
import { ServingMetrics } from './serving.metrics';

const sample = (text: string, name: string, labels: string) =>
  Number(
    new RegExp(`^${name}\\{${labels.replace(/[{}]/g, '\\$&')},?app="recommendation"\\} (\\S+)$`, 'm').exec(text)?.[1],
  );

describe(ServingMetrics.name, () => {
  let registry: MetricsRegistry;
  let metrics: ServingMetrics;
  beforeEach(() => {
    registry = new MetricsRegistry('recommendation', { defaultMetrics: false });
    metrics = new ServingMetrics(registry);
  });

  it('counts answers by the source of their first item and by degradation, and items by source', async () => {
    const item = (source: string) => ({ source });
    metrics.answered({ items: [item('personalised'), item('personalised'), item('popular')], degradations: [] });
    metrics.answered({ items: [item('popular')], degradations: [{ component: 'features' }] });
    metrics.answered({ items: [], degradations: [{ component: 'model' }] });
    metrics.answered({ items: [item('from-the-future')], degradations: [] });
    const text = await registry.text();
    const answers = (source: string, degraded: boolean) =>
      sample(text, 'recommendation_answers_total', `source="${source}",degraded="${degraded}"`);
    expect(answers('personalised', false)).toBe(1);
    expect(answers('popular', true)).toBe(1);
    expect(answers('none', true)).toBe(1);
    expect(answers('other', false)).toBe(1);
    expect(answers('trending', false)).toBe(0); // every source is there from the start, at 0
    const items = (source: string) => sample(text, 'recommendation_answer_items_total', `source="${source}"`);
    expect([items('personalised'), items('popular'), items('other'), items('content')]).toEqual([2, 2, 1, 0]);
  });

  it('describes the model serving and the age of its training data, and nothing while none serves', async () => {
    let model: { modelId: string; version: number; algorithm: string; trainedUntil?: Date } | undefined;
    metrics.watchModel(() => model);
    const none = await registry.text();
    expect(none).not.toMatch(/^recommendation_model_info\{/m);
    expect(none).toMatch(/^recommendation_model_version\{app="recommendation"\} 0$/m);
    model = { modelId: 'm7', version: 7, algorithm: 'ease', trainedUntil: new Date(Date.now() - 3_600_000) };
    const text = await registry.text();
    expect(sample(text, 'recommendation_model_info', 'model_id="m7",version="7",algorithm="ease"')).toBe(1);
    expect(text).toMatch(/^recommendation_model_version\{app="recommendation"\} 7$/m);
    const age = sample(text, 'recommendation_model_training_data_age_seconds', 'model_id="m7"');
    expect(age).toBeGreaterThanOrEqual(3600);
    expect(age).toBeLessThan(3660);
    model = { ...model, modelId: 'm8', version: 8, trainedUntil: undefined };
    const swapped = await registry.text();
    expect(swapped).not.toContain('model_id="m7"');
    expect(swapped).not.toMatch(/^recommendation_model_training_data_age_seconds\{/m);
  });

  it('withholds drift below the minimum number of samples', async () => {
    let samples = 10;
    metrics.watchDrift(() => ({ psi: 0.3, jsDistance: 0.2, unseenShare: 0.1, samples }), 50);
    expect(await registry.text()).not.toMatch(/^recommendation_input_drift\{/m);
    samples = 50;
    const text = await registry.text();
    expect(sample(text, 'recommendation_input_drift', 'measure="psi"')).toBe(0.3);
    expect(sample(text, 'recommendation_input_drift', 'measure="js_distance"')).toBe(0.2);
    expect(sample(text, 'recommendation_input_drift', 'measure="unseen_item_share"')).toBe(0.1);
    expect(text).toMatch(/^recommendation_input_drift_samples\{app="recommendation"\} 50$/m);
  });
});
