// The settings are read once, and a bad value is refused naming the variable (never its value).
import { describe, expect, it } from 'vitest';
import { readSettings, SettingsError } from '../../src/config.js';

const key = Buffer.alloc(32, 1).toString('base64');

describe('readSettings', () => {
  it('takes the defaults from an empty environment', () => {
    const settings = readSettings({});
    expect(settings).toMatchObject({ port: undefined, redis: undefined, shutdownGraceSeconds: 25, allowPrivateNetworks: false, logLevel: 'info', cipher: undefined });
    expect(settings.twilio.validate).toBe(true);
  });

  it('reads every kind of value', () => {
    const settings = readSettings({
      PORT: '8080',
      REDIS_CLUSTER_NODES: 'a:1, b:2',
      REDIS_URL: 'redis://ignored:6379',
      TWILIO_VALIDATE: 'false',
      ALLOW_PRIVATE_NETWORKS: 'yes',
      BOT_FRAMEWORK_EMULATOR: 'true',
      TOKEN_ENCRYPTION_KEY: key,
      BOT_SECRET_CLIENT_ID: 'c-1',
      'BOT_SECRET_BAD-NAME': 'no',
      MicrosoftAppId: 'app',
      ToBotFromChannelOpenIdMetadataUrl: 'https://login.example/meta',
      PATH: '/usr/bin',
    });
    expect(settings.port).toBe(8080);
    expect(settings.redis).toEqual({ clusterNodes: ['a:1', 'b:2'] });
    expect(settings.twilio.validate).toBe(false);
    expect(settings.allowPrivateNetworks).toBe(true);
    expect(settings.botFramework).toEqual({ appId: 'app', emulator: true, options: { MicrosoftAppId: 'app', ToBotFromChannelOpenIdMetadataUrl: 'https://login.example/meta' } });
    expect(settings.cipher?.open(settings.cipher.seal('x'))).toBe('x');
    expect(settings.botSecrets).toEqual({ CLIENT_ID: 'c-1' });
  });

  it('reads where the platforms\' APIs are (TWILIO_API_URL, META_GRAPH_URL), without a trailing slash; unset means the real ones', () => {
    const settings = readSettings({ TWILIO_API_URL: 'https://api.dublin.ie1.twilio.com/', META_GRAPH_URL: 'http://127.0.0.1:9000/v21.0//' });
    expect(settings.twilio.apiUrl).toBe('https://api.dublin.ie1.twilio.com');
    expect(settings.meta.graphUrl).toBe('http://127.0.0.1:9000/v21.0');
    expect(readSettings({}).twilio.apiUrl).toBeUndefined();
    expect(readSettings({}).meta.graphUrl).toBeUndefined();
    expect(() => readSettings({ META_GRAPH_URL: 'graph.facebook.com' })).toThrow('META_GRAPH_URL: write an http:// or https:// URL');
  });

  it.each([
    ['PORT', 'abc', 'a port number'],
    ['PORT', '70000', 'a port number'],
    ['SHUTDOWN_GRACE_SECONDS', '-1', 'a number of seconds'],
    ['ALLOW_PRIVATE_NETWORKS', 'perhaps', 'true or false'],
    ['REDIS_URL', 'localhost:6379', 'redis://'],
    ['PUBLIC_URL', 'bot.example.com', 'http://'],
    ['LOG_LEVEL', 'loud', 'LOG_LEVEL'],
    ['ADMIN_TOKEN', 'short', 'at least 32'],
    ['TOKEN_ENCRYPTION_KEY', 'not-32-bytes', 'TOKEN_ENCRYPTION_KEY must be 32 bytes'],
  ])('refuses %s=%s, naming the variable and not the value', (name, value, words) => {
    let error: unknown;
    try {
      readSettings({ [name]: value });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(SettingsError);
    const message = (error as Error).message;
    expect(message).toContain(name);
    expect(message).toContain(words);
    if (value.length > 5) expect(message).not.toContain(value);
  });

  it('lists every bad variable at once', () => {
    expect(() => readSettings({ PORT: 'x', LOG_LEVEL: 'y' })).toThrow(/PORT: .*\n.*LOG_LEVEL: /);
  });
});

describe('Redis settings that do not parse', () => {
  it.each([
    ['REDIS_URL', 'redis://admin:hunter2secret@10.0.0.1:70000'],
    ['REDIS_CLUSTER_NODES', 'redis://admin:hunter2secret@10.0.0.1:70000'],
  ])('refuses %s without printing its password', (name, value) => {
    let error: unknown;
    try {
      readSettings({ [name]: value });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(SettingsError);
    expect(String((error as Error).message)).toContain(name);
    expect(JSON.stringify(error, Object.getOwnPropertyNames(error))).not.toContain('hunter2secret');
  });
});
