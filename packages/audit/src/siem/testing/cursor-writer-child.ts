// Child process for the kill -9 test of FileCursorStore: advances a cursor forever and prints
// each value once setCursor has resolved (that is, once it is acknowledged as durable).
import { FileCursorStore } from '../file-cursor-store.ts';

const path = process.argv[2];
if (path === undefined) throw new TypeError('usage: cursor-writer-child.ts PATH');
const store = new FileCursorStore(path);
for (let next = 1; ; next++) {
  await store.setCursor('siem-a', next);
  await store.setCursor('siem-b', next * 2);
  process.stdout.write(`${String(next)}\n`);
}
