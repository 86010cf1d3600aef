import { findExecutable, natsAddress, parseNatsInfo } from './nats.provider';

describe('parseNatsInfo', () => {
  it('reads the INFO greeting', () => {
    expect(parseNatsInfo('INFO {"server_id":"N1","version":"2.9.10","jetstream":true,"max_payload":1048576} ')).toEqual(
      {
        server_id: 'N1',
        version: '2.9.10',
        jetstream: true,
        max_payload: 1048576,
      },
    );
  });

  it('rejects anything else', () => {
    expect(parseNatsInfo('HTTP/1.1 400 Bad Request')).toBeUndefined();
    expect(parseNatsInfo('INFO {not json}')).toBeUndefined();
  });
});

describe('natsAddress', () => {
  it('takes the first server of a list, with the default port', () => {
    expect(natsAddress('nats://user:pw@10.0.0.1,nats://10.0.0.2:4223')).toEqual({ host: '10.0.0.1', port: 4222 });
    expect(natsAddress('tls://[::1]:4443')).toEqual({ host: '::1', port: 4443 });
  });
});

describe('findExecutable', () => {
  it('searches PATH first, then the sbin folders a user PATH often lacks', () => {
    const present = new Set(['/opt/nats/nats-server', '/usr/sbin/nats-server']);
    expect(findExecutable('nats-server', '/usr/bin:/opt/nats', (p) => present.has(p))).toBe('/opt/nats/nats-server');
    expect(findExecutable('nats-server', '/usr/bin', (p) => present.has(p))).toBe('/usr/sbin/nats-server');
    expect(findExecutable('nats-server', undefined, () => false)).toBeUndefined();
  });
});
