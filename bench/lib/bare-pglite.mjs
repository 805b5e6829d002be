// The floor `runlog serve` is measured against: plain JavaScript that opens PGlite on a data
// directory, runs SELECT 1, prints "ready" and idles until SIGTERM (then closes the database).
import { PGlite } from '@electric-sql/pglite';

const db = await PGlite.create({ dataDir: process.argv[2] });
await db.query('SELECT 1');
process.stdout.write('ready\n');
const idle = setInterval(() => {}, 60_000);
process.once('SIGTERM', async () => {
  clearInterval(idle);
  await db.close();
});
