import { CliError, parseEvaluateOptions } from './cli.options';

const known = ['popularity', 'ease', 'als'];

describe(parseEvaluateOptions.name, () => {
  it('reads every option, in both --name value and --name=value forms', () => {
    const o = parseEvaluateOptions(
      [
        '--dataset',
        'movielens',
        '--file=/d/u.data',
        '--split',
        'temporal',
        '--ratio',
        '0.8',
        '--seed',
        '3',
        '--models',
        'ease,als',
        '--k',
        '20',
        '--json',
        'out.json',
      ],
      known,
    );
    expect(o).toEqual({
      dataset: 'movielens',
      file: '/d/u.data',
      split: 'temporal',
      ratio: 0.8,
      seed: 3,
      models: ['ease', 'als'],
      k: 20,
      json: 'out.json',
    });
  });

  it('fills defaults; an empty or "all" model list means every model', () => {
    const o = parseEvaluateOptions(['--dataset', 'csv', '--file', 'x.csv', '--models', 'all'], known);
    expect(o).toMatchObject({ split: 'stratified-user', ratio: 0.75, seed: 42, k: 10, models: [] });
  });

  it('names every bad option in one error', () => {
    let message = '';
    try {
      parseEvaluateOptions(
        [
          '--dataset',
          'netflix',
          '--split',
          'random',
          '--ratio',
          '1.5',
          '--k',
          '0',
          '--models',
          'ease,svd',
          '--bogus',
          '1',
        ],
        known,
      );
    } catch (error) {
      expect(error).toBeInstanceOf(CliError);
      message = (error as Error).message;
    }
    for (const option of ['--bogus', '--dataset', '--file', '--split', '--ratio', '--k', '--models'])
      expect(message).toContain(option);
    expect(message).toContain('unknown model(s) svd');
  });

  it('rejects a missing value', () => {
    expect(() => parseEvaluateOptions(['--dataset', 'csv', '--file'], known)).toThrow(/--file: missing value/);
  });
});
