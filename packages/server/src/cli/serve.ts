import { loadConfig } from '../config.ts';
import { SETTINGS } from '../settings.ts';
import { parseCommand, type CommandSpec } from './spec.ts';

export const SERVE_SPEC: CommandSpec = {
  name: 'serve',
  about: 'serves the API and the dashboard (the default command: `runlog` alone, or `npm start`)',
  usage: ['serve [settings]'],
  flags: {},
  settings: SETTINGS.map((s) => s.flag),
  notes: [
    'On first start it creates the tenant "default" with an owner and an admin API key and prints them;',
    'they are printed again at every start until the owner first signs in. Stop it with SIGTERM or Ctrl-C.',
  ],
};

export async function serveCommand(argv: string[]): Promise<number> {
  const { values } = parseCommand(SERVE_SPEC, argv, { maxPositionals: 0 });
  const config = loadConfig(values as Record<string, string>);
  // Loaded after the arguments are checked: `serve --help` and a bad flag answer at once.
  const { serve } = await import('../main.ts');
  await serve(config);
  // The process stays up until a signal stops the server.
  return 0;
}
