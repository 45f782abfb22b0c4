/**
 * FAKE k6 for tests (k6 cannot be installed on our build machines). It speaks k6's command line as
 * k6 1.x/2.x do, at the process boundary, and nothing more:
 * - `k6 version` / `k6 --version`: `k6 v1.3.0 (commit/…, go…, linux/amd64)` (k6's cobra template);
 * - `k6 run [flags] script`: flags parsed as pflag does (`--flag=value`, `--flag value`, `-q`);
 *   an unknown flag (`--no-summary` on 2.x) is `level=error msg="unknown flag: --no-summary"`, exit
 *   255; `--no-summary` on 1.3+ prints pflag's deprecation line; `--summary-mode` values as k6
 *   validates them (`disabled` from 1.3, `legacy` until 2.0);
 * - below 1.0 a .ts script is a SyntaxError, exit 107 (script exception); an exception in the init
 *   context is exit 107; an exception in an iteration is logged with `source=stacktrace` and the run
 *   still exits 0, as k6 does;
 * - the script really runs: TypeScript types stripped (as k6 >= 1.0 does), `k6/http`, `k6/execution`,
 *   `k6/metrics` and `k6` provided with k6's semantics for what our script uses, requests sent for
 *   real (synchronously, as k6 VUs do), samples written to `--out json=FILE` in k6's NDJSON format
 *   (Metric line before a metric's first Point; tags, metadata only when not empty);
 * - the `payments` scenario's arrival-rate executor with ONE VU: an iteration due while the VU is
 *   busy is dropped and counted in `dropped_iterations`, as k6 does when no VU is free;
 * - SIGINT stops the test: exit 105 (externally aborted).
 * FAKE_K6_VERSION picks the version it claims (default 1.3.0).
 */
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const { spawnSync } = require('node:child_process');

const VERSION = process.env.FAKE_K6_VERSION ?? '1.3.0';
const [MAJOR, MINOR] = VERSION.split('.').map(Number);
const atLeast = (major, minor) => MAJOR > major || (MAJOR === major && MINOR >= minor);

function logLine(level, msg, fields = {}) {
  const extra = Object.entries(fields)
    .map(([k, v]) => ` ${k}=${/^[\w./:-]+$/.test(v) ? v : JSON.stringify(v)}`)
    .join('');
  process.stderr.write(
    `time="${new Date().toISOString()}" level=${level} msg=${JSON.stringify(msg)}${extra}\n`,
  );
}

function fail(msg, code, fields) {
  logLine('error', msg, fields);
  process.exit(code);
}

const args = process.argv.slice(2);
if (args[0] === 'version' || args[0] === '--version') {
  process.stdout.write(`k6 v${VERSION} (commit/fa4e6b1d2c, go1.24.6, linux/amd64)\n`);
  process.exit(0);
}
if (args[0] !== 'run') fail(`unknown command "${args[0] ?? ''}" for "k6"`, 255);

// ---- flags (pflag) --------------------------------------------------------------------------------
const BOOL = new Map([
  ['quiet', 'q'],
  ['no-thresholds', ''],
  ['no-usage-report', ''],
  ['include-system-env-vars', ''],
]);
const STRING = new Map([
  ['summary-mode', ''],
  ['out', 'o'],
  ['log-format', ''],
  ['env', 'e'],
  ['vus', 'u'],
  ['duration', 'd'],
]);
if (!atLeast(2, 0)) BOOL.set('no-summary', '');
const flags = { out: [], env: [] };
let script;
for (let i = 1; i < args.length; i++) {
  const arg = args[i];
  if (!arg.startsWith('-') || arg === '-') {
    if (script !== undefined) fail(`accepts 1 arg(s), received ${args.length - i + 1}`, 255);
    script = arg;
    continue;
  }
  const long = arg.startsWith('--');
  let [name, value] = arg.replace(/^--?/, '').split(/=(.*)/s);
  if (!long) {
    const entry = [...BOOL, ...STRING].find(([, short]) => short === name);
    if (entry === undefined) fail(`unknown shorthand flag: '${name}' in ${arg}`, 255);
    name = entry[0];
  }
  if (BOOL.has(name)) {
    flags[name] = value === undefined ? true : value === 'true';
    if (name === 'no-summary' && atLeast(1, 3))
      process.stderr.write('Flag --no-summary has been deprecated, use --summary-mode=disabled instead\n');
    continue;
  }
  if (!STRING.has(name)) fail(`unknown flag: --${name}`, 255);
  if (value === undefined) {
    value = args[++i];
    if (value === undefined) fail(`flag needs an argument: --${name}`, 255);
  }
  if (name === 'out' || name === 'env') flags[name].push(value);
  else flags[name] = value;
}
if (script === undefined) fail('accepts 1 arg(s), received 0', 255);
if (flags['summary-mode'] !== undefined) {
  const modes = [
    'compact',
    'full',
    ...(atLeast(2, 0) ? [] : ['legacy']),
    ...(atLeast(1, 3) ? ['disabled'] : []),
  ];
  if (!modes.includes(flags['summary-mode'])) fail('invalid summary mode', 255);
}
const scriptPath = path.resolve(script);
if (!fs.existsSync(scriptPath)) fail(`The moduleSpecifier "${script}" couldn't be found on local disk.`, 107);
if (!atLeast(1, 0) && scriptPath.endsWith('.ts'))
  fail(`SyntaxError: file://${scriptPath}: Unexpected token (1:0)\n\tat file://${scriptPath}:1:0(0)\n`, 107, {
    hint: 'script exception',
  });

// ---- output: k6's JSON output -----------------------------------------------------------------------
const outArg = flags.out.find((o) => o.startsWith('json='));
const outPath = outArg === undefined ? undefined : outArg.slice(5);
const outFd = outPath === undefined ? undefined : fs.openSync(outPath, 'w');
// k6 gzips its JSON output when the file name ends in .gz; the fake compresses it all at the end
const gzipped = outPath !== undefined && outPath.endsWith('.gz') ? [] : undefined;
function writeOut(text) {
  if (gzipped !== undefined) gzipped.push(text);
  else fs.writeSync(outFd, text);
}
const declared = new Set();
const METRIC_TYPES = {
  http_req_duration: ['trend', 'time'],
  http_reqs: ['counter', 'default'],
  http_req_failed: ['rate', 'default'],
  iterations: ['counter', 'default'],
  dropped_iterations: ['counter', 'default'],
};
function emit(metric, value, tags, metadata, time = Date.now()) {
  if (outFd === undefined) return;
  if (!declared.has(metric)) {
    declared.add(metric);
    const [type, contains] = METRIC_TYPES[metric];
    writeOut(
      `${JSON.stringify({ type: 'Metric', data: { name: metric, type, contains, thresholds: [], submetrics: null }, metric })}\n`,
    );
  }
  const data = { time: new Date(time).toISOString().replace('Z', '000000Z'), value, tags };
  if (metadata !== undefined && Object.keys(metadata).length > 0) data.metadata = { ...metadata };
  writeOut(`${JSON.stringify({ metric, type: 'Point', data })}\n`);
}

// ---- the k6 modules our script uses ------------------------------------------------------------------
const env = {};
if (flags['include-system-env-vars'] !== false) Object.assign(env, process.env);
for (const pair of flags.env) {
  const [k, v] = pair.split(/=(.*)/s);
  env[k] = v ?? '';
}
const vu = { idInTest: 1, metrics: { metadata: {}, tags: {} } };
const scenarioState = { name: 'payments', iterationInTest: 0, executor: '' };
const SHARED = new Int32Array(new SharedArrayBuffer(4));
let expected = (status) => status >= 200 && status < 400;

/** One request, synchronously (k6 VUs block on http calls), in a child node process. */
function request(method, url, body, params = {}) {
  const timeout = typeof params.timeout === 'number' ? params.timeout : 60_000;
  const started = Date.now();
  const child = spawnSync(process.execPath, ['-e', REQUEST_PROGRAM], {
    input: JSON.stringify({ method, url, body: body ?? null, headers: params.headers ?? {}, timeout }),
    encoding: 'utf8',
  });
  const answer = JSON.parse(child.stdout);
  const ended = Date.now();
  const tags = {
    scenario: scenarioState.name,
    group: '',
    method,
    url,
    name: url,
    proto: 'HTTP/1.1',
    ...(params.tags ?? {}),
    status: String(answer.status),
    expected_response: String(answer.status !== 0 && expected(answer.status)),
  };
  if (answer.error_code !== 0) tags.error_code = String(answer.error_code);
  emit('http_reqs', 1, tags, vu.metrics.metadata, ended);
  emit('http_req_duration', ended - started, tags, vu.metrics.metadata, ended);
  emit('http_req_failed', tags.expected_response === 'true' ? 0 : 1, tags, vu.metrics.metadata, ended);
  const headers = {};
  for (const [k, v] of Object.entries(answer.headers)) headers[canonicalHeader(k)] = v;
  return {
    status: answer.status,
    body: answer.body,
    headers,
    error: answer.error,
    error_code: answer.error_code,
    timings: { duration: ended - started },
    json: () => JSON.parse(answer.body),
  };
}

/** Go's textproto.CanonicalMIMEHeaderKey: k6 hands response headers to scripts in this form. */
function canonicalHeader(name) {
  return name
    .split('-')
    .map((w) => w.charAt(0).toUpperCase() + w.slice(1).toLowerCase())
    .join('-');
}

const REQUEST_PROGRAM = `
const http = require('node:http');
let input = '';
process.stdin.on('data', (c) => (input += c)).on('end', () => {
  const r = JSON.parse(input);
  const out = (o) => process.stdout.write(JSON.stringify({ status: 0, headers: {}, body: null, error: '', error_code: 0, ...o }));
  const req = http.request(r.url, { method: r.method, headers: r.headers, timeout: r.timeout }, (res) => {
    let body = '';
    res.setEncoding('utf8');
    res.on('data', (c) => (body += c)).on('end', () => out({ status: res.statusCode, headers: res.headers, body }));
  });
  req.on('timeout', () => { req.destroy(); out({ error: 'request timeout', error_code: 1050 }); process.exit(0); });
  req.on('error', (e) => {
    const codes = { ECONNREFUSED: 1212, ECONNRESET: 1220 };
    out({ error: e.message, error_code: codes[e.code] ?? 1000 });
    process.exit(0);
  });
  if (r.body !== null) req.write(r.body);
  req.end();
});`;

const http = {
  get: (url, params) => request('GET', url, null, params),
  post: (url, body, params) => request('POST', url, body, params),
  batch: (requests) => requests.map(([method, url, body, params]) => request(method, url, body, params)),
  expectedStatuses:
    (...specs) =>
    (status) =>
      specs.some((s) => (typeof s === 'number' ? s === status : status >= s.min && status <= s.max)),
  setResponseCallback: (callback) => {
    expected = callback;
  },
};

class CustomMetric {
  constructor(name, type, isTime) {
    this.name = name;
    METRIC_TYPES[name] ??= [type, isTime === true ? 'time' : 'default'];
  }
  add(value, tags) {
    emit(this.name, Number(value), { scenario: scenarioState.name, ...(tags ?? {}) }, vu.metrics.metadata);
  }
}
const metrics = {
  Counter: class extends CustomMetric {
    constructor(n, t) {
      super(n, 'counter', t);
    }
  },
  Trend: class extends CustomMetric {
    constructor(n, t) {
      super(n, 'trend', t);
    }
  },
  Rate: class extends CustomMetric {
    constructor(n, t) {
      super(n, 'rate', t);
    }
  },
  Gauge: class extends CustomMetric {
    constructor(n, t) {
      super(n, 'gauge', t);
    }
  },
};
class TestAbort extends Error {}
const exec = {
  vu,
  scenario: scenarioState,
  test: {
    abort: (reason) => {
      throw new TestAbort(reason ?? 'test aborted');
    },
  },
};
const k6 = {
  sleep: (seconds) => Atomics.wait(SHARED, 0, 0, Math.max(0, seconds * 1000)),
  check: (value, checks) => Object.values(checks).every((f) => f(value)),
};
const MODULES = { 'k6/http': http, 'k6/execution': exec, 'k6/metrics': metrics, k6 };

// ---- the script: types stripped as k6 >= 1.0 does ---------------------------------------------------
const ts = require('typescript');
const loaded = new Map();
function load(file) {
  if (loaded.has(file)) return loaded.get(file).exports;
  const source = fs.readFileSync(file, 'utf8');
  const { outputText } = ts.transpileModule(source, {
    compilerOptions: {
      module: ts.ModuleKind.CommonJS,
      target: ts.ScriptTarget.ES2020,
      esModuleInterop: true,
    },
    fileName: file,
  });
  const module = { exports: {} };
  loaded.set(file, module);
  const requireModule = (specifier) => {
    if (MODULES[specifier] !== undefined)
      return { __esModule: true, default: MODULES[specifier], ...MODULES[specifier] };
    if (specifier.startsWith('.')) return load(path.resolve(path.dirname(file), specifier));
    throw new Error(`The moduleSpecifier "${specifier}" couldn't be found on local disk.`);
  };
  new Function('exports', 'require', 'module', '__ENV', '__VU', outputText)(
    module.exports,
    requireModule,
    module,
    env,
    0,
  );
  return module.exports;
}

let script_;
try {
  script_ = load(scriptPath);
} catch (error) {
  fail(`${error}\n\tat file://${scriptPath}\n`, 107, { hint: 'script exception' });
}

// ---- the executor: arrival rate, one VU ----------------------------------------------------------------
const config = script_.options?.scenarios?.payments;
if (config === undefined) fail('the fake k6 runs only a `payments` scenario', 104);
scenarioState.executor = config.executor;
const ms = (d) => (typeof d === 'number' ? d : Number(/^(\d+(?:\.\d+)?)ms$/.exec(d)?.[1] ?? Number.NaN));
const unit = ms(config.timeUnit ?? '1000ms') || 1000;
const stages =
  config.executor === 'ramping-arrival-rate'
    ? config.stages.map((s) => ({ target: s.target, duration: ms(s.duration) }))
    : [{ target: config.rate, duration: ms(config.duration), constant: true }];
const startRate = config.executor === 'ramping-arrival-rate' ? (config.startRate ?? 0) : config.rate;
const total = stages.reduce((n, s) => n + s.duration, 0);
/** Iterations per ms at `t` ms into the test (linear within a ramping stage). */
function rateAt(t) {
  let from = startRate;
  let offset = 0;
  for (const s of stages) {
    if (t < offset + s.duration)
      return (s.constant ? s.target : from + ((s.target - from) * (t - offset)) / s.duration) / unit;
    from = s.target;
    offset += s.duration;
  }
  return 0;
}

let interrupted = false;
process.on('SIGINT', () => {
  interrupted = true;
});
const wait = (until) => new Promise((resolve) => setTimeout(resolve, Math.max(0, until - Date.now())));

(async () => {
  const start = Date.now();
  let due = 0;
  let iteration = 0;
  while (!interrupted && due < total) {
    await wait(start + due);
    if (interrupted) break;
    const late = Date.now() - (start + due);
    if (late > 5) {
      emit('dropped_iterations', 1, { scenario: 'payments' }, undefined);
    } else {
      scenarioState.iterationInTest = iteration++;
      try {
        script_.default();
        emit('iterations', 1, { scenario: 'payments' }, vu.metrics.metadata);
      } catch (error) {
        if (error instanceof TestAbort) fail(error.message, 108);
        const stack = error instanceof Error ? (error.stack ?? String(error)) : String(error);
        logLine('error', `${stack}\n`, {
          executor: config.executor,
          scenario: 'payments',
          source: 'stacktrace',
        });
      }
    }
    const rate = rateAt(due);
    due += rate > 0 ? 1 / rate : 10;
  }
  if (gzipped !== undefined) fs.writeSync(outFd, require('node:zlib').gzipSync(gzipped.join('')));
  if (outFd !== undefined) fs.closeSync(outFd);
  process.exit(interrupted ? 105 : 0);
})();
