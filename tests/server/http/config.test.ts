/** Reading the server's configuration from the environment: defaults, normalising, and refusals. */
import { describe, expect, it } from 'vitest';
import {
  ConfigError,
  defaultOrigin,
  insecureOriginWarning,
  readPort,
  readPublicOrigin,
  readStoreOptions,
  readTls,
  readTransportLimits,
  wantsTls,
} from '../../../src/server/config.ts';

describe('server configuration', () => {
  it('the store is SQLite in ./data unless RASID_DATA or DATABASE_URL says otherwise', () => {
    expect(readStoreOptions({})).toEqual({ dataDir: './data' });
    expect(readStoreOptions({ RASID_DATA: '/srv/rasid' })).toEqual({ dataDir: '/srv/rasid' });
    expect(readStoreOptions({ RASID_DATA: '/srv/rasid', DATABASE_URL: 'postgresql://rasid@db/rasid' })).toEqual({
      databaseUrl: 'postgresql://rasid@db/rasid',
    });
    expect(() => readStoreOptions({ DATABASE_URL: 'mysql://db/rasid' })).toThrow(ConfigError);
  });

  it('the public origin is normalised to scheme, host and port, and anything more is refused', () => {
    expect(readPublicOrigin({})).toBeUndefined();
    expect(readPublicOrigin({ PUBLIC_ORIGIN: 'https://Rasid.Example.org' })).toBe('https://rasid.example.org');
    expect(readPublicOrigin({ PUBLIC_ORIGIN: 'https://rasid.example.org:443/' })).toBe('https://rasid.example.org');
    expect(readPublicOrigin({ PUBLIC_ORIGIN: 'https://base.rasid.lan:8443' })).toBe('https://base.rasid.lan:8443');
    for (const bad of [
      'rasid.example.org',
      'https://rasid.example.org/app',
      'https://rasid.example.org/?a=1',
      'ftp://rasid.example.org',
      'https://user@rasid.example.org',
    ]) {
      expect(() => readPublicOrigin({ PUBLIC_ORIGIN: bad }), bad).toThrow(ConfigError);
    }
  });

  it('the default origin is localhost on the port, https when TLS is on', () => {
    expect(defaultOrigin(false, 8080)).toBe('http://localhost:8080');
    expect(defaultOrigin(true, 8443)).toBe('https://localhost:8443');
  });

  it('plain HTTP is warned about, except on loopback', () => {
    expect(insecureOriginWarning('http://192.168.1.10:8080')).toMatch(/plain HTTP/);
    expect(insecureOriginWarning('http://localhost:8080')).toBeUndefined();
    expect(insecureOriginWarning('http://127.0.0.1:8080')).toBeUndefined();
    expect(insecureOriginWarning('https://base.rasid.lan')).toBeUndefined();
  });

  it('TLS needs both files, and says which one cannot be read', () => {
    expect(wantsTls({})).toBe(false);
    expect(() => wantsTls({ TLS_KEY: '/k.pem' })).toThrow(/both TLS_CERT and TLS_KEY/);
    expect(() => readTls({ TLS_CERT: '/nonexistent/cert.pem', TLS_KEY: '/nonexistent/key.pem' })).toThrow(
      /TLS_CERT \(\/nonexistent\/cert.pem\) cannot be read/,
    );
  });

  it('the port is 8080 by default and must be a port number', () => {
    expect(readPort({})).toBe(8080);
    expect(readPort({ PORT: '0' })).toBe(0);
    for (const bad of ['eighty', '-1', '65536', '80.5']) expect(() => readPort({ PORT: bad }), bad).toThrow(ConfigError);
  });

  it('headers have 30 seconds and a body may be silent for 30, unless set; nonsense is refused', () => {
    expect(readTransportLimits({})).toEqual({ headersTimeoutMs: 30_000, bodyIdleTimeoutMs: 30_000 });
    expect(readTransportLimits({ HEADERS_TIMEOUT_SECONDS: '2', BODY_IDLE_TIMEOUT_SECONDS: '90' })).toEqual({
      headersTimeoutMs: 2_000,
      bodyIdleTimeoutMs: 90_000,
    });
    for (const bad of ['0', '-5', '1.5', 'soon', '3601']) {
      expect(() => readTransportLimits({ HEADERS_TIMEOUT_SECONDS: bad }), bad).toThrow(ConfigError);
      expect(() => readTransportLimits({ BODY_IDLE_TIMEOUT_SECONDS: bad }), bad).toThrow(/BODY_IDLE_TIMEOUT_SECONDS must be/);
    }
  });
});
