// HTTP request-cost benchmark: OLD (7af0f3f, hand-built router) vs NEW (fastify 5 + TypeBox).
// Runs OLD and NEW alternately (ABABAB), one fresh server + data dir per run, three phases per run.
// Every loop is bounded by count and by time; only 127.0.0.1 is targeted.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import { doc1k } from './doc1k.mjs';

// Two built trees under BENCH_ROOT: old/ (a git worktree of the commit before, with node_modules
// and build/ linked in) and new/ (this tree); each needs `npx tsc -p tsconfig.json` first.
const ROOT = process.env.BENCH_ROOT ?? '/tmp/httpbench';
const HOST = '127.0.0.1';
const PORT = Number(process.env.BENCH_PORT ?? 18731);
const KEY = 'httpbench_master_key_0123456789abcdefghij'; // 41 chars
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const CONCURRENCY = 16;
const REQ_TIMEOUT_MS = 10_000;
const PHASE_DEADLINE_MS = 240_000;
const CLK_TCK = 100; // getconf CLK_TCK
const SCALE = Number(process.env.BENCH_SCALE ?? 1); // 1 for the real run; smaller for a dry run
const BUILDS = { old: `${ROOT}/old`, new: `${ROOT}/new` };
const SERVER_ARGS = (dataDir) => [
  'dist/src/cli/main.js', 'serve', '--port', String(PORT), '--data-dir', dataDir, '--rtp-ports', '31800-31899',
  '--requests-per-token', '100000', '--quota-conferences', '100000', '--log-level', 'warn',
];

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function cpuTicks(pid) {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' '); // f[0] is field 3 (state)
  return Number(f[11]) + Number(f[12]); // utime (14) + stime (15)
}
function rssMiB(pid) {
  const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : null;
}

function portInUse() {
  return new Promise((resolve) => {
    const s = net.connect({ host: HOST, port: PORT });
    const done = (v) => { s.destroy(); resolve(v); };
    s.once('connect', () => done(true));
    s.once('error', () => done(false));
    s.setTimeout(1000, () => done(true));
  });
}

/** One request on the given agent; resolves {status, body?, ms}; never rejects. */
function request(agent, method, path, headers, body, keepBody) {
  return new Promise((resolve) => {
    const t0 = process.hrtime.bigint();
    const h = { ...headers };
    if (body) { h['content-type'] = 'application/json'; h['content-length'] = body.length; }
    const req = http.request({ host: HOST, port: PORT, method, path, headers: h, agent }, (res) => {
      const chunks = [];
      res.on('data', (c) => { if (keepBody) chunks.push(c); });
      res.on('end', () => resolve({
        status: res.statusCode, ms: Number(process.hrtime.bigint() - t0) / 1e6,
        body: keepBody ? Buffer.concat(chunks).toString('utf8') : undefined,
      }));
      res.on('error', (e) => resolve({ status: 0, error: String(e), ms: Number(process.hrtime.bigint() - t0) / 1e6 }));
    });
    req.setTimeout(REQ_TIMEOUT_MS, () => req.destroy(new Error('request timeout')));
    req.on('error', (e) => resolve({ status: 0, error: String(e), ms: Number(process.hrtime.bigint() - t0) / 1e6 }));
    req.end(body);
  });
}

/** n requests, CONCURRENCY in flight, on a keep-alive agent. Bounded by n and PHASE_DEADLINE_MS. */
async function load(n, spec) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY });
  const lat = new Float64Array(n);
  const statuses = {};
  const errors = {};
  let next = 0;
  let done = 0;
  let firstBody;
  const deadline = Date.now() + PHASE_DEADLINE_MS;
  const worker = async () => {
    while (next < n && Date.now() < deadline) {
      const i = next++;
      const r = await request(agent, spec.method, spec.path, spec.headers, spec.body, i === 0);
      if (i === 0) firstBody = r.body;
      lat[i] = r.ms;
      statuses[r.status] = (statuses[r.status] ?? 0) + 1;
      if (r.error) errors[r.error] = (errors[r.error] ?? 0) + 1;
      done++;
    }
  };
  const t0 = process.hrtime.bigint();
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  agent.destroy();
  const sorted = Float64Array.from(lat.subarray(0, done)).sort();
  const pct = (p) => (done ? sorted[Math.min(done - 1, Math.ceil((p / 100) * done) - 1)] : null);
  const non2xx = Object.entries(statuses).filter(([s]) => !(Number(s) >= 200 && Number(s) < 300)).reduce((a, [, c]) => a + c, 0);
  let firstStatusField = null;
  try { firstStatusField = JSON.parse(firstBody).status; } catch { /* recorded as null */ }
  return {
    requested: n, completed: done, seconds, rps: done / seconds,
    p50_ms: pct(50), p99_ms: pct(99), mean_ms: done ? sorted.reduce((a, b) => a + b, 0) / done : null, max_ms: done ? sorted[done - 1] : null,
    statuses, non2xx, errors, timedOut: done < n, first_envelope_status: firstStatusField,
  };
}

async function startServer(build, round) {
  if (await portInUse()) throw new Error(`port ${PORT} already in use before starting ${build} r${round}`);
  const dataDir = `${ROOT}/data/${build}-r${round}`;
  fs.rmSync(dataDir, { recursive: true, force: true });
  fs.mkdirSync(dataDir, { recursive: true });
  const logPath = `${ROOT}/logs/${build}-r${round}.log`;
  const log = fs.openSync(logPath, 'w');
  const child = spawn(process.execPath, SERVER_ARGS(dataDir), {
    cwd: BUILDS[build], env: { ...process.env, ROOMTONE_MASTER_API_KEY: KEY }, stdio: ['ignore', log, log],
  });
  fs.closeSync(log);
  let exited = null;
  child.once('exit', (code, sig) => { exited = { code, sig }; });
  for (let i = 0; i < 150; i++) { // ≤ 15 s
    if (exited) throw new Error(`${build} server exited at start: ${JSON.stringify(exited)}; see ${logPath}`);
    if (await portInUse()) break;
    await sleep(100);
  }
  if (exited || !(await portInUse())) throw new Error(`${build} server not listening; see ${logPath}`);
  await sleep(300);
  if (exited) throw new Error(`${build} server exited after listen: ${JSON.stringify(exited)}; see ${logPath}`);
  return { child, pid: child.pid, dataDir, logPath, isExited: () => exited };
}

async function stopServer(srv) {
  if (srv.isExited()) return srv.isExited();
  srv.child.kill('SIGTERM');
  for (let i = 0; i < 100 && !srv.isExited(); i++) await sleep(100); // ≤ 10 s
  if (!srv.isExited()) {
    srv.child.kill('SIGKILL');
    for (let i = 0; i < 50 && !srv.isExited(); i++) await sleep(100);
  }
  for (let i = 0; i < 50 && (await portInUse()); i++) await sleep(100);
  return srv.isExited();
}

async function oneRun(build, round, counts) {
  const srv = await startServer(build, round);
  const out = { build, round, pid: srv.pid, phases: {} };
  try {
    const agent = new http.Agent({ keepAlive: false });
    // The port opens before the API is attached (503 "the server is starting"): retry, bounded (≤ 100 × 100 ms).
    let login;
    out.login_503_retries = 0;
    for (let i = 0; i < 100; i++) {
      login = await request(agent, 'PUT', '/v2/api_auth', {}, Buffer.from(JSON.stringify({ data: { api_key: KEY } })), true);
      if (login.status !== 503) break;
      out.login_503_retries++;
      await sleep(100);
    }
    if (login.status !== 200 && login.status !== 201) throw new Error(`login ${login.status}: ${login.body}`);
    const lj = JSON.parse(login.body);
    const token = lj.auth_token;
    const A = lj.data.account_id;
    const auth = { 'x-auth-token': token };
    const created = await request(agent, 'PUT', `/v2/accounts/${A}/conferences`, auth, Buffer.from(JSON.stringify({ data: { name: 'bench' } })), true);
    if (created.status !== 201 && created.status !== 200) throw new Error(`create ${created.status}: ${created.body}`);
    const C = JSON.parse(created.body).data.id;
    out.account_id = A; out.conference_id = C;

    // Idle CPU of the server (media worker threads etc.) for 2 s, to show the background floor.
    const i0 = cpuTicks(srv.pid); await sleep(2000); const i1 = cpuTicks(srv.pid);
    out.idle_cpu_s_per_s = (i1 - i0) / CLK_TCK / 2;

    const specs = {
      a_get: { method: 'GET', path: `/v2/accounts/${A}/conferences/${C}`, headers: auth, warm: counts.warm, n: counts.n },
      b_lock: { method: 'PUT', path: `/v2/accounts/${A}/conferences/${C}`, headers: auth, body: Buffer.from(JSON.stringify({ action: 'lock' })), warm: counts.warm, n: counts.n },
      c_create: { method: 'PUT', path: `/v2/accounts/${A}/conferences`, headers: auth, body: Buffer.from(JSON.stringify(doc1k)), warm: counts.warm, n: counts.nCreate },
    };
    for (const [name, spec] of Object.entries(specs)) {
      const warm = await load(spec.warm, spec);
      await sleep(200);
      const c0 = cpuTicks(srv.pid);
      const cc0 = process.cpuUsage();
      const r = await load(spec.n, spec);
      const c1 = cpuTicks(srv.pid);
      const cc = process.cpuUsage(cc0);
      r.server_cpu_s = (c1 - c0) / CLK_TCK;
      r.server_cpu_s_per_1000 = r.completed ? (r.server_cpu_s / r.completed) * 1000 : null;
      r.client_cpu_s = (cc.user + cc.system) / 1e6;
      r.server_rss_mib_after = rssMiB(srv.pid);
      r.warmup = { requested: spec.warm, completed: warm.completed, statuses: warm.statuses, non2xx: warm.non2xx, errors: warm.errors };
      r.body_bytes = spec.body ? spec.body.length : 0;
      out.phases[name] = r;
      console.log(`${build} r${round} ${name}: ${r.rps.toFixed(0)} req/s p50 ${r.p50_ms.toFixed(2)} ms p99 ${r.p99_ms.toFixed(2)} ms ` +
        `cpu ${r.server_cpu_s_per_1000.toFixed(3)} s/1000 statuses ${JSON.stringify(r.statuses)} warm ${JSON.stringify(warm.statuses)}` +
        (Object.keys(r.errors).length ? ` errors ${JSON.stringify(r.errors)}` : ''));
      if (srv.isExited()) throw new Error(`${build} server died during ${name}`);
    }
  } finally {
    out.exit = await stopServer(srv);
    out.server_log_bytes = fs.statSync(srv.logPath).size;
  }
  return out;
}

const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)]; };

async function main() {
  fs.mkdirSync(`${ROOT}/logs`, { recursive: true });
  const counts = { warm: Math.round(2000 * SCALE), n: Math.round(20000 * SCALE), nCreate: Math.round(5000 * SCALE) };
  const started = new Date().toISOString();
  const loadavgStart = fs.readFileSync('/proc/loadavg', 'utf8').trim();
  const runs = [];
  for (let round = 1; round <= ROUNDS; round++) {
    for (const build of ['old', 'new']) runs.push(await oneRun(build, round, counts));
  }
  const summary = {};
  for (const build of ['old', 'new']) {
    summary[build] = {};
    for (const phase of ['a_get', 'b_lock', 'c_create']) {
      const rs = runs.filter((r) => r.build === build).map((r) => r.phases[phase]);
      summary[build][phase] = {
        rps: median(rs.map((r) => r.rps)), p50_ms: median(rs.map((r) => r.p50_ms)), p99_ms: median(rs.map((r) => r.p99_ms)),
        server_cpu_s_per_1000: median(rs.map((r) => r.server_cpu_s_per_1000)),
        non2xx_total: rs.reduce((a, r) => a + r.non2xx + r.warmup.non2xx, 0),
        errors_total: rs.reduce((a, r) => a + Object.values(r.errors).reduce((x, y) => x + y, 0), 0),
        per_round: rs.map((r) => ({ rps: r.rps, p50_ms: r.p50_ms, p99_ms: r.p99_ms, server_cpu_s_per_1000: r.server_cpu_s_per_1000 })),
      };
    }
  }
  const ratio = {};
  for (const phase of ['a_get', 'b_lock', 'c_create']) {
    const o = summary.old[phase]; const n = summary.new[phase];
    ratio[phase] = { rps: n.rps / o.rps, p50_ms: n.p50_ms / o.p50_ms, p99_ms: n.p99_ms / o.p99_ms, server_cpu_s_per_1000: n.server_cpu_s_per_1000 / o.server_cpu_s_per_1000 };
  }
  const result = {
    started, finished: new Date().toISOString(), loadavg_start: loadavgStart, loadavg_end: fs.readFileSync('/proc/loadavg', 'utf8').trim(),
    node: process.version, concurrency: CONCURRENCY, counts, order: runs.map((r) => `${r.build}-r${r.round}`),
    server_command: `ROOMTONE_MASTER_API_KEY=<41-char key> node ${SERVER_ARGS('/tmp/httpbench/data/<build>-r<round>').join(' ')}`,
    summary_median_of_rounds: summary, ratio_new_over_old: ratio, runs,
  };
  const outPath = process.env.BENCH_OUT ?? `${ROOT}/results.json`;
  fs.writeFileSync(outPath, JSON.stringify(result, null, 2));
  console.log(JSON.stringify({ summary: Object.fromEntries(Object.entries(summary).map(([b, ph]) => [b, Object.fromEntries(Object.entries(ph).map(([p, v]) => [p, { rps: v.rps, p50: v.p50_ms, p99: v.p99_ms, cpu: v.server_cpu_s_per_1000, non2xx: v.non2xx_total }]))])), ratio }, null, 1));
}

main().catch((e) => { console.error(e); process.exitCode = 1; });
