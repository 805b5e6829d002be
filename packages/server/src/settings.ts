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
  { flag: 'public-url', env: 'RUNLOG_PUBLIC_URL', value: '<url>', default: 'http://<host>:<port>', about: 'where work-unit executors call back (behind a proxy, in a container)' },
] as const satisfies readonly Setting[];

export type SettingFlag = (typeof SETTINGS)[number]['flag'];

/** The settings that choose the database: every command that opens it takes these. */
export const DATABASE_SETTINGS = ['data-dir', 'database-url', 'database-schema'] as const satisfies readonly SettingFlag[];
