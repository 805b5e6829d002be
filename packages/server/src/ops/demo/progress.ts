/**
 * A progress bar on stderr: redrawn in place on a terminal; on a pipe or a log file, one line
 * at each further tenth, so logs stay readable.
 */
export function progressBar(total: number, stream: NodeJS.WriteStream = process.stderr) {
  let done = 0;
  let lastTenth = -1;
  const width = 30;
  function draw(label: string) {
    const share = total === 0 ? 1 : Math.min(1, done / total);
    const filled = Math.round(share * width);
    const line = `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${String(Math.round(share * 100)).padStart(3)}% ${label}`;
    if (stream.isTTY) stream.write(`\r${line.padEnd(78)}`);
    else if (Math.floor(share * 10) > lastTenth) {
      lastTenth = Math.floor(share * 10);
      stream.write(`${line}\n`);
    }
  }
  return {
    advance(n: number, label: string) {
      done += n;
      draw(label);
    },
    finish(label: string) {
      done = total;
      lastTenth = -1; // the last line always shows, with its label
      draw(label);
      if (stream.isTTY) stream.write('\n');
    },
  };
}
