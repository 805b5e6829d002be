import { DEMO_AGENTS, DEMO_PROJECTS, DEMO_USERS, DEMO_WORKSPACES } from './demo-catalog.ts';
import { demoActivities, demoHookSession, demoRuns, type DemoItem } from './demo-data.ts';
import type { DemoSink } from './demo-sinks.ts';

/** Items per POST /ingest: about a hundred runs with their steps and ends. */
const ITEMS_PER_BATCH = 300;

export interface DemoSummary {
  runs: number;
  live_runs: number;
  activities: number;
  hook_events: number;
  work_units: number;
  workspaces: number;
  /** Items the server refused other than as repeats (409: a run already ended by an earlier load). */
  failed: { status: number; message?: string }[];
}

function chunks<T>(xs: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < xs.length; i += size) out.push(xs.slice(i, i + size));
  return out;
}

/**
 * Loads the demo data set through a sink: projects and work units with limits, people and
 * two workspaces, a week of runs (newest first, so the last day's signals fill first),
 * runs still going, people's activities and a coding-assistant session.
 */
export async function loadDemo(sink: DemoSink, { seed, now, onProgress }: { seed: number; now: number; onProgress: (total: number, step: number, label: string) => void }): Promise<DemoSummary> {
  const { runs, live } = demoRuns(seed, now);
  const batches = chunks(runs.flat(), ITEMS_PER_BATCH);
  const activities = demoActivities(seed, now);
  const hooks = demoHookSession(now);
  const total = 3 + batches.length + 3;
  const tick = (label: string, step = 1) => onProgress(total, step, label);
  const failed: DemoSummary['failed'] = [];

  for (const p of DEMO_PROJECTS) await sink.createProject(p);
  for (const a of DEMO_AGENTS) {
    await sink.registerWorkUnit({
      id: a.id, name: a.name, kind: a.kind, version: '1.0', author: 'demo', description: a.description,
      metadata: { project: a.project, model: a.model }, ...(a.limits ? { limits: a.limits } : {}),
    });
  }
  tick('projects and work units');
  const userIds = new Map<string, string>();
  for (const u of DEMO_USERS) userIds.set(u.email, await sink.ensureUser(u));
  tick('people');
  for (const w of DEMO_WORKSPACES) {
    const id = await sink.ensureWorkspace({ name: w.name, description: w.description, department: w.department });
    for (const [email, role] of w.members) await sink.addMember(id, { user_id: userIds.get(email)!, role });
    for (const unit of w.units) await sink.addWorkUnit(id, { work_unit_id: unit });
  }
  tick('workspaces');

  const record = (items: DemoItem[], results: { status: number; message?: string }[]) => {
    results.forEach((r, i) => {
      if (r.status >= 400 && !(r.status === 409 && items[i]!.type !== 'run.create')) failed.push(r);
    });
  };
  for (const [i, batch] of batches.entries()) {
    record(batch, await sink.ingest(batch));
    tick(`runs ${Math.min((i + 1) * (ITEMS_PER_BATCH / 3), runs.length)}/${runs.length}`);
  }
  const liveItems = live.flat();
  record(liveItems, await sink.ingest(liveItems));
  tick('live runs');
  record(activities, await sink.ingest(activities));
  tick('activities');
  for (const payload of hooks) await sink.hook(payload);
  tick('coding-assistant session');
  return {
    runs: runs.length, live_runs: live.length, activities: activities.length, hook_events: hooks.length,
    work_units: DEMO_AGENTS.length, workspaces: DEMO_WORKSPACES.length, failed,
  };
}
