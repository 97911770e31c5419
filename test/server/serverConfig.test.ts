// The --fetch-allow / ROOMTONE_FETCH_ALLOW setting as resolveServerConfig reads it.
import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '../../src/errors.js';
import { resolveServerConfig, SETTINGS } from '../../src/server/ServerConfig.js';

describe('ServerConfig: fetchAllow', () => {
  it('is empty by default, a trimmed comma-separated list otherwise, the flag winning over the environment', () => {
    expect(SETTINGS.find((s) => s.key === 'fetchAllow')).toMatchObject({ flag: 'fetch-allow', env: 'ROOMTONE_FETCH_ALLOW', default: '' });
    expect(resolveServerConfig({}, {}).fetchAllow).toEqual([]);
    expect(resolveServerConfig({}, { ROOMTONE_FETCH_ALLOW: ' 10.1.0.0/16, fd00::/8 ,,127.0.0.1' }).fetchAllow).toEqual(['10.1.0.0/16', 'fd00::/8', '127.0.0.1']);
    expect(resolveServerConfig({ 'fetch-allow': '192.168.1.0/24' }, { ROOMTONE_FETCH_ALLOW: '10.0.0.0/8' }).fetchAllow).toEqual(['192.168.1.0/24']);
  });

  it('refuses a range that does not parse, naming ROOMTONE_FETCH_ALLOW', () => {
    for (const value of ['127.0.0.1/8', '10.0.0.0/33', 'localhost', '10.0.0.0/8;10.1.0.0/16', 'fd00::1/8']) {
      const e = (() => {
        try {
          resolveServerConfig({ 'fetch-allow': value }, {});
        } catch (err) {
          return err;
        }
      })();
      expect(e, value).toBeInstanceOf(InvalidArgumentError);
      expect((e as InvalidArgumentError).field).toBe('ROOMTONE_FETCH_ALLOW');
      expect((e as Error).message).toContain(`"${value}"`);
    }
  });
});
