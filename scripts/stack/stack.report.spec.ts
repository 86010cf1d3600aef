import { formatDuration, formatNotReady, formatReadyReport, formatTable, READY_MARKER } from './stack.report';

describe('formatDuration', () => {
  it.each([
    [12.4, '12 ms'],
    [999, '999 ms'],
    [1000, '1.0 s'],
    [12_345, '12.3 s'],
  ])('shows %p ms as %p', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });
});

describe('formatTable', () => {
  it('pads every column to its widest cell', () => {
    expect(
      formatTable(
        ['a', 'bb'],
        [
          ['long', 'x'],
          ['s', 'yyy'],
        ],
      ),
    ).toEqual(['a     bb', '----  ---', 'long  x', 's     yyy']);
  });
});

describe('formatReadyReport', () => {
  it('lists each app with its addresses and ready time, where the servers are, and the total', () => {
    const text = formatReadyReport({
      rows: [
        { app: 'ingestion', httpUrl: 'http://127.0.0.1:3001', grpcAddress: '127.0.0.1:50051', readyMs: 2100 },
        { app: 'dss', httpUrl: 'http://127.0.0.1:3005', grpcAddress: '127.0.0.1:50055', readyMs: 850 },
      ],
      totalMs: 4321,
      postgres: 'postgres://postgres:***@127.0.0.1:5488/postgres (embedded)',
      nats: 'nats://127.0.0.1:4322',
      logs: '/repo/.data/logs',
    });
    expect(text.split('\n')).toEqual([
      '',
      '  app        HTTP                   gRPC             ready after',
      '  ---------  ---------------------  ---------------  -----------',
      '  ingestion  http://127.0.0.1:3001  127.0.0.1:50051  2.1 s',
      '  dss        http://127.0.0.1:3005  127.0.0.1:50055  850 ms',
      '',
      '  PostgreSQL  postgres://postgres:***@127.0.0.1:5488/postgres (embedded)',
      '  NATS        nats://127.0.0.1:4322',
      '  Logs        /repo/.data/logs',
      '',
      `${READY_MARKER} 4.3 s. Press Ctrl-C to stop.`,
      '',
    ]);
  });
});

describe('formatNotReady', () => {
  it('names each app that is not ready, why, and what it printed last', () => {
    expect(
      formatNotReady(60_000, [
        {
          app: 'training',
          reason: 'HTTP 503 from http://127.0.0.1:3003/health/ready',
          lastLines: ['migrating', 'stuck'],
        },
        { app: 'dss', reason: 'ECONNREFUSED', lastLines: [] },
      ]).split('\n'),
    ).toEqual([
      'Not ready after 60.0 s (STACK_READY_TIMEOUT_MS): training, dss',
      '  training: HTTP 503 from http://127.0.0.1:3003/health/ready',
      '  last lines of training:',
      '    migrating',
      '    stuck',
      '  dss: ECONNREFUSED',
      '  dss printed nothing',
    ]);
  });
});
