/**
 * The process settings: flag, environment variable, default and meaning, in one table that
 * config.ts parses, `runlog <command> --help` prints and a test compares with the README.
 */
export interface Setting {
  readonly flag: string;
  readonly env: string;
  /** Placeholder of the value in usage lines. */
  readonly value: string;
  readonly default: string;
  readonly about: string;
}

export const SETTINGS = [
  { flag: 'port', env: 'PORT', value: '<port>', default: '3001', about: 'port to listen on (0: any free one)' },
  { flag: 'host', env: 'HOST', value: '<host>', default: '127.0.0.1', about: 'address to listen on (0.0.0.0: every interface)' },
  { flag: 'data-dir', env: 'RUNLOG_DATA_DIR', value: '<dir>', default: './runlog-data', about: 'where the embedded database lives' },
  { flag: 'database-url', env: 'DATABASE_URL', value: '<url>', default: 'unset', about: 'a PostgreSQL server (postgres://…); unset: the embedded database' },
  { flag: 'database-schema', env: 'RUNLOG_DATABASE_SCHEMA', value: '<name>', default: 'public', about: 'schema on the PostgreSQL server (several installs can share one database)' },
  { flag: 'init-api-key', env: 'RUNLOG_INIT_API_KEY', value: '<key>', default: 'unset', about: 'the admin API key created at first start; unset: one is generated and printed' },
  { flag: 'log-level', env: 'LOG_LEVEL', value: '<level>', default: 'info', about: 'fatal, error, warn, info, debug, trace or silent' },
  { flag: 'stall-timeout', env: 'RUNLOG_STALL_TIMEOUT_MS', value: '<ms>', default: '300000', about: 'a live run not heard from this long is STALLED' },
  { flag: 'body-limit', env: 'RUNLOG_BODY_LIMIT_BYTES', value: '<bytes>', default: '5242880', about: 'the largest request body accepted' },
  { flag: 'key-cache', env: 'RUNLOG_KEY_CACHE_MS', value: '<ms>', default: '10000', about: 'how long a verified API key is trusted before it is looked up again' },
  { flag: 'shutdown-timeout', env: 'RUNLOG_SHUTDOWN_TIMEOUT_MS', value: '<ms>', default: '10000', about: 'time given to requests in flight on SIGTERM' },
  { flag: 'jobs', env: 'RUNLOG_JOBS', value: 'on|off', default: 'on', about: 'on: serve works the background jobs; off: runlog worker processes do' },
  { flag: 'trust-proxy', env: 'RUNLOG_TRUST_PROXY', value: 'true|false|<cidrs>', default: 'false', about: 'believe X-Forwarded-For/-Proto from these proxies (client address for rate limits, Secure cookies behind TLS)' },
  { flag: 'key-secret', env: 'RUNLOG_KEY_SECRET', value: '<secret>', default: 'embedded: <data-dir>/key-secret', about: 'server secret API keys are hashed with (HMAC); the same value on every node; PostgreSQL unset: plain SHA-256 and a warning' },
  { flag: 'login-max-attempts', env: 'RUNLOG_LOGIN_MAX_ATTEMPTS', value: '<n>', default: '10', about: 'sign-in attempts per account per window, then 429' },
  { flag: 'login-address-max-attempts', env: 'RUNLOG_LOGIN_ADDRESS_MAX_ATTEMPTS', value: '<n>', default: '50', about: 'sign-in attempts per client address per window' },
  { flag: 'login-window', env: 'RUNLOG_LOGIN_WINDOW_MS', value: '<ms>', default: '900000', about: 'the sign-in rate window (15 min)' },
  { flag: 'anonymous-rate-limit', env: 'RUNLOG_ANONYMOUS_RATE_LIMIT', value: '<n>', default: '600', about: 'requests a minute per address without a key, session or ticket (/healthz, /readyz exempt); 0: none' },
  { flag: 'statement-timeout', env: 'RUNLOG_STATEMENT_TIMEOUT_MS', value: '<ms>', default: '15000', about: 'PostgreSQL: one statement of a request; past it, 503' },
  { flag: 'job-statement-timeout', env: 'RUNLOG_JOB_STATEMENT_TIMEOUT_MS', value: '<ms>', default: '300000', about: 'PostgreSQL: one statement of the minute job' },
  { flag: 'db-connect-timeout', env: 'RUNLOG_DB_CONNECT_TIMEOUT_MS', value: '<ms>', default: '5000', about: 'PostgreSQL: opening a connection or waiting for a free one' },
  { flag: 'ready-timeout', env: 'RUNLOG_READY_TIMEOUT_MS', value: '<ms>', default: '2000', about: '/readyz answers 503 when the database has not answered by then' },
  { flag: 'headers-timeout', env: 'RUNLOG_HEADERS_TIMEOUT_MS', value: '<ms>', default: '10000', about: 'a client that has not sent its headers by then is cut with 408' },
  { flag: 'request-timeout', env: 'RUNLOG_REQUEST_TIMEOUT_MS', value: '<ms>', default: '60000', about: 'a whole request, body included' },
  { flag: 'keep-alive-timeout', env: 'RUNLOG_KEEP_ALIVE_TIMEOUT_MS', value: '<ms>', default: '10000', about: 'an idle keep-alive connection (behind a load balancer: above its idle timeout)' },
  { flag: 'max-connections', env: 'RUNLOG_MAX_CONNECTIONS', value: '<n>', default: '10000', about: 'further connections are closed as they arrive (WebSocket clients count)' },
  { flag: 'password-cost', env: 'RUNLOG_PASSWORD_COST', value: '<log2 N>', default: '17', about: 'new password hashes use scrypt N=2^cost (14-20); other costs are rehashed at the next sign-in' },
  { flag: 'public-url', env: 'RUNLOG_PUBLIC_URL', value: '<url>', default: 'http://<host>:<port>', about: 'where work-unit executors call back (behind a proxy, in a container)' },
] as const satisfies readonly Setting[];

export type SettingFlag = (typeof SETTINGS)[number]['flag'];

/** The settings that choose the database: every command that opens it takes these. */
export const DATABASE_SETTINGS = ['data-dir', 'database-url', 'database-schema'] as const satisfies readonly SettingFlag[];
