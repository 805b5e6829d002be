import path from 'node:path';
import { ConfigError } from './errors.ts';
import { SETTINGS, type SettingFlag } from './settings.ts';
import { loadRenderingSettings, type RenderingSettings } from './domain/rendering/rendering.settings.ts';

/**
 * Every setting of the process, parsed once at start. Nothing else reads process.env.
 * A bad value raises ConfigError naming the setting; the CLI prints it as one line and exits.
 */
export interface Config {
  port: number;
  host: string;
  dataDir: string;
  databaseUrl: string | null;
  /** Schema used in server mode (lets tests and several installs share one database). */
  databaseSchema: string;
  initApiKey: string | null;
  logLevel: LogLevel;
  stallTimeoutMs: number;
  bodyLimitBytes: number;
  /** How long a verified API key is trusted before it is looked up again. */
  keyCacheMs: number;
  shutdownTimeoutMs: number;
  /** Where executors reach this server (the callback URLs of a dispatched run); no trailing slash. */
  publicUrl: string;
  /** Proxies whose X-Forwarded-For/-Proto are believed: true (any), or addresses/CIDRs; false: none. */
  trustProxy: boolean | string;
  /** HMAC secret of API key hashes; kept outside the database. */
  keySecret: string | null;
  /** Sign-in attempts per account, and per client address, in loginWindowMs; then 429. */
  loginMaxAttempts: number;
  loginAddressMaxAttempts: number;
  loginWindowMs: number;
  /** Requests a minute per address without credentials (0: unlimited). */
  anonymousRateLimit: number;
  /** Server mode: deadline of one statement of a request, of one statement of the minute job, and of getting a connection. */
  statementTimeoutMs: number;
  jobStatementTimeoutMs: number;
  dbConnectTimeoutMs: number;
  /** /readyz answers 503 when the database has not answered in this long. */
  readyTimeoutMs: number;
  /** HTTP server: time to receive a request's headers, its whole body, an idle keep-alive connection's life, and the connection cap. */
  headersTimeoutMs: number;
  requestTimeoutMs: number;
  keepAliveTimeoutMs: number;
  maxConnections: number;
  /** scrypt cost of new password hashes: N = 2^passwordCost. */
  passwordCost: number;
  /** The render worker and the optional LLM analyzer (RUNLOG_RENDER_*, RUNLOG_LLM_*). */
  rendering: RenderingSettings;
  /** Whether `runlog serve` works the background jobs (else `runlog worker` processes do). */
  jobs: boolean;
}

export const LOG_LEVELS = Object.freeze(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const);
export type LogLevel = (typeof LOG_LEVELS)[number];

export { ConfigError };

type Source = Record<string, string | undefined>;

/** Flag name → environment name (from the settings table). Flags win over the environment. */
const SETTING_ENV = Object.fromEntries(SETTINGS.map((s) => [s.flag, s.env])) as Record<SettingFlag, string>;

export const CONFIG_FLAGS: readonly string[] = SETTINGS.map((s) => s.flag);

function int(name: string, raw: string | undefined, fallback: number, min: number, max: number): number {
  if (raw === undefined || raw === '') return fallback;
  if (!/^\d+$/.test(raw.trim())) throw new ConfigError(name, `must be a whole number, got "${raw}"`);
  const value = Number(raw);
  if (value < min || value > max) throw new ConfigError(name, `must be between ${min} and ${max}, got ${value}`);
  return value;
}

/** An http(s) base URL without query or fragment, its trailing slashes removed. */
function baseUrl(name: string, raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError(name, `is not a URL: "${raw}"`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new ConfigError(name, 'must start with http:// or https://');
  if (url.search || url.hash) throw new ConfigError(name, 'must not have a query or a fragment');
  return url.href.replace(/\/+$/, '');
}

/** The listen address as a URL host: a wildcard address is reached on loopback; IPv6 goes in brackets. */
function urlHost(host: string): string {
  const reachable = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
  return reachable.includes(':') ? `[${reachable}]` : reachable;
}

function trustProxy(name: string, raw: string | undefined): boolean | string {
  const value = raw?.trim() ?? '';
  if (value === '' || value === 'false') return false;
  if (value === 'true') return true;
  if (!/^[0-9A-Fa-f.:/]+(\s*,\s*[0-9A-Fa-f.:/]+)*$/.test(value)) throw new ConfigError(name, `must be true, false, or addresses/CIDRs separated by commas, got "${raw}"`);
  return value;
}

/** Reads config from parsed flags (already split out of argv) and an environment. */
export function loadConfig(flags: Source = {}, env: Source = process.env): Config {
  const get = (flag: SettingFlag): [string, string | undefined] => {
    if (flags[flag] !== undefined) return [`--${flag}`, flags[flag]];
    return [SETTING_ENV[flag], env[SETTING_ENV[flag]]];
  };

  const [portName, portRaw] = get('port');
  const [hostName, hostRaw] = get('host');
  const [, dataDirRaw] = get('data-dir');
  const [urlName, urlRaw] = get('database-url');
  const [schemaName, schemaRaw] = get('database-schema');
  const [keyName, keyRaw] = get('init-api-key');
  const [levelName, levelRaw] = get('log-level');

  const databaseUrl = urlRaw ? urlRaw.trim() : null;
  if (databaseUrl && !/^postgres(ql)?:\/\//.test(databaseUrl)) {
    throw new ConfigError(urlName, 'must start with postgres:// or postgresql://');
  }
  const databaseSchema = schemaRaw?.trim() || 'public';
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(databaseSchema)) {
    throw new ConfigError(schemaName, 'must be a lower-case SQL identifier');
  }
  const initApiKey = keyRaw?.trim() || null;
  if (initApiKey && (initApiKey.length < 20 || /\s/.test(initApiKey))) {
    throw new ConfigError(keyName, 'must be at least 20 characters without spaces');
  }
  const logLevel = (levelRaw?.trim().toLowerCase() || 'info') as LogLevel;
  if (!LOG_LEVELS.includes(logLevel)) {
    throw new ConfigError(levelName, `must be one of ${LOG_LEVELS.join(', ')}, got "${levelRaw}"`);
  }
  const host = hostRaw?.trim() || '127.0.0.1';
  if (/\s/.test(host)) throw new ConfigError(hostName, `is not a host name: "${hostRaw}"`);
  const port = int(portName, portRaw, 3001, 0, 65535);
  const [publicName, publicRaw] = get('public-url');
  const [jobsName, jobsRaw] = get('jobs');
  const jobs = (jobsRaw?.trim().toLowerCase() || 'on');
  if (jobs !== 'on' && jobs !== 'off') throw new ConfigError(jobsName, `must be on or off, got "${jobsRaw}"`);

  return {
    port,
    host,
    dataDir: path.resolve(dataDirRaw?.trim() || './runlog-data'),
    databaseUrl,
    databaseSchema,
    initApiKey,
    logLevel,
    stallTimeoutMs: int(get('stall-timeout')[0], get('stall-timeout')[1], 5 * 60_000, 1_000, 7 * 86_400_000),
    bodyLimitBytes: int(get('body-limit')[0], get('body-limit')[1], 5 * 1024 * 1024, 1024, 100 * 1024 * 1024),
    keyCacheMs: int(get('key-cache')[0], get('key-cache')[1], 10_000, 0, 3_600_000),
    shutdownTimeoutMs: int(get('shutdown-timeout')[0], get('shutdown-timeout')[1], 10_000, 0, 600_000),
    publicUrl: publicRaw?.trim() ? baseUrl(publicName, publicRaw.trim()) : `http://${urlHost(host)}:${port}`,
    rendering: loadRenderingSettings(env),
    jobs: jobs === 'on',
    ...hardening(get),
  };
}

/** The limits and deadlines a public service needs (README: settings). */
function hardening(get: (flag: SettingFlag) => [string, string | undefined]) {
  const n = (flag: SettingFlag, fallback: number, min: number, max: number) => int(get(flag)[0], get(flag)[1], fallback, min, max);
  const [secretName, secretRaw] = get('key-secret');
  const keySecret = secretRaw?.trim() || null;
  if (keySecret && keySecret.length < 16) throw new ConfigError(secretName, 'must be at least 16 characters (e.g. `openssl rand -base64 32`)');
  return {
    trustProxy: trustProxy(...get('trust-proxy')),
    keySecret,
    loginMaxAttempts: n('login-max-attempts', 10, 1, 1_000_000),
    loginAddressMaxAttempts: n('login-address-max-attempts', 50, 1, 1_000_000),
    loginWindowMs: n('login-window', 15 * 60_000, 1_000, 86_400_000),
    anonymousRateLimit: n('anonymous-rate-limit', 600, 0, 1_000_000),
    statementTimeoutMs: n('statement-timeout', 15_000, 100, 3_600_000),
    jobStatementTimeoutMs: n('job-statement-timeout', 300_000, 100, 86_400_000),
    dbConnectTimeoutMs: n('db-connect-timeout', 5_000, 100, 600_000),
    readyTimeoutMs: n('ready-timeout', 2_000, 100, 60_000),
    headersTimeoutMs: n('headers-timeout', 10_000, 100, 600_000),
    requestTimeoutMs: n('request-timeout', 60_000, 100, 3_600_000),
    keepAliveTimeoutMs: n('keep-alive-timeout', 10_000, 100, 600_000),
    maxConnections: n('max-connections', 10_000, 1, 1_000_000),
    passwordCost: n('password-cost', 17, 14, 20),
  };
}

