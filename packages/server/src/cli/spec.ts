import { parseArgs } from 'node:util';
import { SETTINGS, type SettingFlag } from '../settings.ts';

/**
 * One definition per command of what it takes: parsing, `--help` and the README test all read
 * it, so they cannot drift apart. Kept free of heavy imports: `runlog hook` loads it.
 */

export interface FlagSpec {
  readonly type: 'string' | 'boolean';
  /** Placeholder of the value in usage lines (string flags). */
  readonly value?: string;
  readonly env?: string;
  readonly default?: string;
  readonly about: string;
}

export interface CommandSpec {
  readonly name: string;
  readonly about: string;
  /** Synopsis lines, without the leading "runlog ". */
  readonly usage: readonly string[];
  readonly flags: Readonly<Record<string, FlagSpec>>;
  /** Process settings the command takes (flag or environment, see settings.ts). */
  readonly settings: readonly SettingFlag[];
  readonly notes?: readonly string[];
}

/** A mistake in the command line: printed with the command's usage, exit code 2. */
export class UsageError extends Error {
  /** `command`: the command whose --help to point to, when it is not the first word (users reset-password). */
  constructor(message: string, readonly usage: string, readonly command?: string) {
    super(message);
  }
}

/** `--help` was given: the text goes to stdout, exit code 0. */
export class HelpRequested extends Error {
  constructor(readonly text: string) {
    super('help requested');
  }
}

export type Values = Record<string, string | boolean | undefined>;

/** Every flag of a command, its own first, then its settings, as help lists them. */
export function allFlags(spec: CommandSpec): Array<[string, FlagSpec]> {
  const settings = SETTINGS.filter((s) => spec.settings.includes(s.flag));
  return [
    ...Object.entries(spec.flags),
    ...settings.map((s): [string, FlagSpec] => [s.flag, { type: 'string', value: s.value, env: s.env, default: s.default, about: s.about }]),
  ];
}

/** One line a flag: the flag and its value, its environment variable when a flag of the section has one, what it does. */
function flagLines(flags: Array<[string, FlagSpec]>): string[] {
  const left = flags.map(([name, flag]) => `  --${name}${flag.type === 'string' ? ` ${flag.value ?? '<value>'}` : ''}`);
  const leftWidth = Math.max(...left.map((text) => text.length)) + 2;
  const envWidth = Math.max(0, ...flags.map(([, flag]) => (flag.env ? flag.env.length + 2 : 0)));
  return flags.map(([, flag], i) => {
    const about = flag.default && flag.default !== 'unset' ? `${flag.about} [default: ${flag.default}]` : flag.about;
    return `${left[i]!.padEnd(leftWidth)}${(flag.env ?? '').padEnd(envWidth)}${about}`;
  });
}

export function usageText(spec: CommandSpec): string {
  return ['usage:', ...spec.usage.map((line) => `  runlog ${line}`)].join('\n');
}

export function helpText(spec: CommandSpec): string {
  const own = Object.entries(spec.flags);
  const settings = allFlags(spec).slice(own.length);
  const sections = [`runlog ${spec.name}: ${spec.about}`, usageText(spec)];
  if (own.length) sections.push(['options:', ...flagLines(own)].join('\n'));
  if (settings.length) sections.push(['settings (flag, or environment variable):', ...flagLines(settings)].join('\n'));
  if (spec.notes?.length) sections.push(spec.notes.join('\n'));
  return `${sections.join('\n\n')}\n`;
}

/** Edit distance, for "did you mean". */
function distance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = cur;
  }
  return prev[b.length]!;
}

/** The candidate closest to `given` (a typo, or a prefix of it), or null when none is close. */
export function nearest(given: string, candidates: readonly string[]): string | null {
  let best: string | null = null;
  let bestScore = Number.POSITIVE_INFINITY;
  for (const candidate of candidates) {
    const score = candidate.startsWith(given) || given.startsWith(candidate) ? 0.5 : distance(given, candidate);
    if (score < bestScore) [best, bestScore] = [candidate, score];
  }
  return bestScore <= Math.max(2, Math.floor(given.length / 3)) ? best : null;
}

/** `--tennant` → `--tenant`. */
export function nearestFlag(given: string, known: readonly string[]): string | null {
  const near = nearest(given.replace(/^-+/, '').split('=')[0]!, known);
  return near === null ? null : `--${near}`;
}

const HELP = new Set(['--help', '-h']);

/**
 * Parses argv by the spec: `--help` raises HelpRequested; an unknown flag, a missing value or
 * an unexpected argument raises UsageError naming it (and the nearest flag).
 */
export function parseCommand(spec: CommandSpec, argv: readonly string[], { maxPositionals = Number.POSITIVE_INFINITY } = {}): { values: Values; positionals: string[] } {
  const flags = allFlags(spec);
  // Only before "--": after it everything is an argument.
  const end = argv.indexOf('--');
  if ((end < 0 ? argv : argv.slice(0, end)).some((arg) => HELP.has(arg))) throw new HelpRequested(helpText(spec));
  const options = Object.fromEntries(flags.map(([name, flag]) => [name, { type: flag.type }]));
  let parsed: { values: Values; positionals: string[] };
  try {
    parsed = parseArgs({ args: [...argv], options, allowPositionals: true, strict: true }) as { values: Values; positionals: string[] };
  } catch (err) {
    throw new UsageError(describe(err as Error & { code?: string }, flags.map(([name]) => name)), usageText(spec), spec.name);
  }
  if (parsed.positionals.length > maxPositionals) {
    throw new UsageError(`unexpected argument "${parsed.positionals[maxPositionals]}"`, usageText(spec), spec.name);
  }
  return parsed;
}

function describe(err: Error & { code?: string }, known: string[]): string {
  if (err.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') {
    const given = /'([^']+)'/.exec(err.message)?.[1] ?? '';
    const near = nearestFlag(given, known);
    return `unknown flag ${given}${near ? `; did you mean ${near}?` : ''}`;
  }
  if (err.code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') {
    const flag = /--([a-z0-9-]+)/.exec(err.message)?.[1];
    return /does not take an argument/.test(err.message) ? `--${flag} takes no value` : `--${flag} needs a value`;
  }
  return err.message;
}
