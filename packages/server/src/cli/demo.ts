import { ConfigError, loadConfig, type Config } from '../config.ts';
import { DATABASE_SETTINGS } from '../settings.ts';
import { parseCommand, type CommandSpec } from './spec.ts';
import { buildContainer } from '../container.ts';
import { createAuthService } from '../domain/auth/auth.service.ts';
import { createLogger } from '../logger.ts';
import { httpSink, serviceSink, type DemoSink } from '../ops/demo/demo-sinks.ts';
import { loadDemo, type DemoSummary } from '../ops/demo/load-demo.ts';
import { progressBar } from '../ops/demo/progress.ts';
import { openMigrated } from '../runtime.ts';

export const DEMO_SPEC: CommandSpec = {
  name: 'demo',
  about: 'loads a realistic week of runs, activity, patterns, a cost anomaly, workspaces and a coding-assistant session',
  usage: ['demo [--tenant <name>] [--seed <n>] [--json] [settings]', 'demo --url <server> --key <admin key> [--seed <n>] [--json]'],
  flags: {
    tenant: { type: 'string', value: '<name>', about: 'the tenant to load into (created if missing; not with --url)', default: 'default' },
    url: { type: 'string', value: '<server>', about: 'load through a running server\'s API (http://host:port) instead of into a stopped database' },
    key: { type: 'string', value: '<key>', env: 'RUNLOG_API_KEY', about: 'an admin API key of that server (with --url)' },
    seed: { type: 'string', value: '<n>', about: 'the random seed: the same seed gives the same data', default: '42' },
    json: { type: 'boolean', about: 'print the summary as JSON' },
  },
  settings: [...DATABASE_SETTINGS, 'init-api-key'],
  notes: ['Without --url it opens the database as `serve` would (stop the server first: an embedded one is locked while it runs).'],
};

type Load = (sink: DemoSink) => Promise<DemoSummary>;

/** Stopped database: open it like `serve` does, with the first-start credentials if it is new. */
async function intoDatabase(config: Config, tenantName: string, load: Load): Promise<DemoSummary> {
  const { db, release } = await openMigrated(config);
  try {
    const logger = createLogger('silent');
    const auth = createAuthService({ db, logger, keyCacheMs: 0 });
    const first = await auth.bootstrap(config.initApiKey);
    if (first) {
      console.log(`Created tenant "${first.tenant.name}" with owner ${first.owner.email} (password: ${first.password}).`);
      console.log(first.keyFromEnv ? 'Admin API key: the value of RUNLOG_INIT_API_KEY.' : `Admin API key (shown once, store it now): ${first.key}`);
    }
    const tenant = await auth.ensureTenant(tenantName);
    const { services } = buildContainer({ db, logger, keyCacheMs: 0, databaseSchema: config.databaseSchema });
    return await load(serviceSink(services, { tenantId: tenant.id, keyId: 'demo', scopes: ['admin'], userId: null, projectId: null }));
  } finally {
    await release();
  }
}

/**
 * `runlog demo`: a week of example runs, patterns, a cost anomaly, live runs, workspaces and a
 * coding-assistant session, so every signal has something to show. Into a running server
 * with `--url` and an admin `--key` (or RUNLOG_API_KEY), else straight into the configured
 * database (stopped: an embedded one is locked while a server holds it).
 */
export async function demoCommand(argv: string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const { values } = parseCommand(DEMO_SPEC, argv, { maxPositionals: 0 });
  const seedRaw = (values.seed as string | undefined) ?? '42';
  if (!/^\d{1,9}$/.test(seedRaw)) throw new ConfigError('--seed', `must be a whole number, got "${seedRaw}"`);
  const url = values.url as string | undefined;
  const key = (values.key as string | undefined) ?? env.RUNLOG_API_KEY;
  if (url && !key) throw new ConfigError('--key', 'is required with --url (an admin API key; or RUNLOG_API_KEY)');
  if (url && values.tenant) throw new ConfigError('--tenant', 'does not apply with --url: the key decides the tenant');
  if (url && !/^https?:\/\//.test(url)) throw new ConfigError('--url', 'must start with http:// or https://');
  const config = url ? null : loadConfig(values as Record<string, string>);

  const state: { bar: ReturnType<typeof progressBar> | null } = { bar: null };
  const load: Load = (sink) => loadDemo(sink, {
    seed: Number(seedRaw), now: Date.now(),
    onProgress: (total, step, label) => (state.bar ??= progressBar(total)).advance(step, label),
  });
  const started = Date.now();
  const summary = url ? await load(httpSink(url, key!)) : await intoDatabase(config!, (values.tenant as string | undefined) ?? 'default', load);
  state.bar?.finish(`done in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  if (values.json) console.log(JSON.stringify(summary));
  else {
    console.log(`Loaded ${summary.runs} runs over the last 7 days (+${summary.live_runs} still running), ${summary.activities} activities, `
      + `a coding-assistant session (${summary.hook_events} events), ${summary.work_units} work units and ${summary.workspaces} workspaces.`);
    console.log('Open the dashboard, or try GET /api/v1/activity/patterns?window=7d and /api/v1/activity/cost-analysis.');
  }
  if (summary.failed.length > 0) {
    console.error(`runlog: ${summary.failed.length} items were refused, e.g. ${summary.failed[0]!.status} ${summary.failed[0]!.message ?? ''}`);
    return 1;
  }
  return 0;
}
