// Imports the modules named in argv, one after the other, in this fresh process and prints, as
// JSON, for each one the module URLs the ESM loader had resolved and the files in the CommonJS
// require cache once it was loaded (cumulative). Used by root-entry.test.ts.
import { createRequire, register } from 'node:module';
import { MessageChannel } from 'node:worker_threads';

const hooks = `
let port;
export function initialize(data) { port = data.port; }
export async function resolve(specifier, context, next) {
  const result = await next(specifier, context);
  port.postMessage(result.url);
  return result;
}`;
const { port1, port2 } = new MessageChannel();
const resolved = [];
port1.on('message', (url) => resolved.push(url));
register(`data:text/javascript,${encodeURIComponent(hooks)}`, {
  parentURL: import.meta.url,
  data: { port: port2 },
  transferList: [port2],
});

const report = [];
for (const specifier of process.argv.slice(2)) {
  await import(specifier);
  // Let the last messages from the hooks thread arrive.
  await new Promise((resolve) => setTimeout(resolve, 100));
  report.push([...resolved, ...Object.keys(createRequire(import.meta.url).cache)]);
}
port1.close();
process.stdout.write(JSON.stringify(report));
