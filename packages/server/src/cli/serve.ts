import { loadConfig, parseFlags } from '../config.ts';
import { serve } from '../main.ts';

export async function serveCommand(argv: string[]): Promise<number> {
  const { values } = parseFlags(argv);
  await serve(loadConfig(values as Record<string, string>));
  // The process stays up until a signal stops the server.
  return 0;
}
