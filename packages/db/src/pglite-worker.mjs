// The embedded PGlite database in a worker thread of its own (see pglite-thread.ts): PostgreSQL
// compiled to WebAssembly runs every statement synchronously on the thread that calls it, so on
// the server's main thread it stalled every other request (issue 18). Plain JavaScript, so that
// it loads in any runtime without a TypeScript loader; the release build copies it next to the
// compiled server (scripts/build-server.mjs), where the same `new URL(…, import.meta.url)` finds it.
//
// Requests from the main thread: { id, op: 'query', text, params } | { id, op: 'ping' } |
// { id, op: 'dump' } | { id, op: 'close' }. Answers: { id, result } or { id, error }, where an
// error carries PostgreSQL's fields (code = SQLSTATE, detail, constraint, …) as plain data.
import { readFile } from 'node:fs/promises';
import { parentPort, workerData } from 'node:worker_threads';
import { PGlite, types } from '@electric-sql/pglite';

/** The fields of a PostgreSQL error report (pg-protocol's DatabaseError) that cross to the caller. */
const ERROR_FIELDS = [
  'severity',
  'code',
  'detail',
  'hint',
  'position',
  'internalPosition',
  'internalQuery',
  'where',
  'schema',
  'table',
  'column',
  'dataType',
  'constraint',
  'file',
  'line',
  'routine',
];

function plainError(error) {
  if (!(error instanceof Error)) return { name: 'Error', message: String(error) };
  const plain = { name: error.name, message: error.message, stack: error.stack };
  for (const field of ERROR_FIELDS) {
    const value = error[field];
    if (typeof value === 'string') plain[field] = value;
  }
  return plain;
}

/**
 * The engine's compiled WebAssembly modules. Compiling the 9 MB engine takes about a second; PGlite
 * caches it per thread only, so the first thread of a process compiles it and hands the modules to
 * the main thread, which passes them to every later thread (a WebAssembly.Module is shared
 * between threads, not copied).
 */
async function compiledEngine(given) {
  if (given) return given;
  const dist = new URL('.', import.meta.resolve('@electric-sql/pglite'));
  const compile = async (file) => WebAssembly.compile(await readFile(new URL(file, dist)));
  const [pgliteWasmModule, initdbWasmModule] = await Promise.all([
    compile('pglite.wasm'),
    compile('initdb.wasm'),
  ]);
  return { pgliteWasmModule, initdbWasmModule };
}

const port = parentPort;
let lite;
let engine;
try {
  const { dataDir, loadDataDir } = workerData;
  engine = await compiledEngine(workerData.engine);
  // Application code sees the same values as with node-postgres (connect.ts): INT8 as numbers,
  // DATE as 'YYYY-MM-DD' strings; TIMESTAMPTZ (Date) and BYTEA (Uint8Array) cross the thread
  // boundary by structured clone as they are.
  lite = await PGlite.create({
    dataDir,
    loadDataDir: loadDataDir ? new Blob([loadDataDir]) : undefined,
    ...engine,
    parsers: {
      [types.INT8]: (v) => Number(v),
      [types.DATE]: (v) => v,
    },
  });
} catch (error) {
  port.postMessage({ ready: false, error: plainError(error) });
  // Nothing else to do: the main thread rejects the open and the thread ends.
  port.close();
}

async function answer(request) {
  switch (request.op) {
    case 'query': {
      const result = await lite.query(request.text, request.params ?? []);
      return { result: { rows: result.rows, affectedRows: result.affectedRows } };
    }
    case 'ping':
      await lite.query('select 1');
      return { result: null };
    case 'dump': {
      const bytes = await (await lite.dumpDataDir('none')).arrayBuffer();
      return { result: bytes, transfer: [bytes] };
    }
    case 'close':
      await lite.close();
      return { result: null };
    default:
      throw new Error(`unknown request ${request.op}`);
  }
}

if (lite) {
  port.on('message', (request) => {
    answer(request).then(
      ({ result, transfer }) => {
        try {
          port.postMessage({ id: request.id, result }, transfer ?? []);
        } catch (error) {
          // A value structured clone cannot carry: the caller gets an error, never silence.
          port.postMessage({ id: request.id, error: plainError(error) });
        }
        if (request.op === 'close') port.close();
      },
      (error) => port.postMessage({ id: request.id, error: plainError(error) }),
    );
  });
  port.postMessage({ ready: true, engine });
}
