import * as fs from 'fs';

/**
 * Writes `text` to standard output or error at once. `process.stdout` and `process.stderr` are streams built
 * on first use (a tty, pipe or file stream, with the modules behind each), which costs a synth process more
 * than its whole output takes; a message of a few lines goes straight to the file descriptor instead. A
 * descriptor that would block (a full non-blocking pipe) takes the rest through the stream, which waits.
 */
export function print(to: 'stdout' | 'stderr', text: string): void {
  const fd = to === 'stdout' ? 1 : 2;
  let data = Buffer.from(text);
  try {
    while (data.length > 0) data = data.subarray(fs.writeSync(fd, data));
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    // Nobody reads any more (`| head`): the files are written, and the message has no one to go to.
    if (code === 'EPIPE') return;
    if (code !== 'EAGAIN') throw e;
    process[to].write(data);
  }
}
