// A real `hark serve` on a fresh data dir, with a project, a lenient and a strict application
// and a SigV4 access key made through the admin CLI. The binary is $HARK_BIN, else
// target/debug/hark (scripts/test.sh builds it first).

import { spawn, execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, openSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { createInterface } from "node:readline";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");
const HARK = process.env.HARK_BIN ?? join(root, "target", "debug", "hark");

function admin(dir, ...args) {
  const out = execFileSync(
    HARK,
    ["admin", ...args, "--database", `sqlite://${dir}/hark.db`, "--data-dir", dir],
    { encoding: "utf8", timeout: 60_000 },
  );
  return JSON.parse(out);
}

export async function startHark() {
  const dir = mkdtempSync(join(tmpdir(), "hark-js-"));
  const project = admin(dir, "create-project", "js-sdk");
  const app = admin(dir, "create-app", "--project", project.project_id, "--name", "assistant");
  const strict = admin(dir, "create-app", "--project", project.project_id, "--name", "strict", "--strict");
  const key = admin(dir, "create-access-key", "--project", project.project_id);
  const log = openSync(join(dir, "serve.log"), "w");
  // Only this suite's variables reach hark: it reads every HARK_* variable as configuration.
  const env = { PATH: process.env.PATH, HOME: process.env.HOME, HARK_LOG_LEVEL: "warn" };
  const proc = spawn(HARK, ["serve", "--listen", "127.0.0.1:0", "--data-dir", dir], {
    env,
    stdio: ["ignore", "pipe", log],
  });
  const base = await new Promise((ok, fail) => {
    const lines = createInterface({ input: proc.stdout });
    lines.on("line", (line) => {
      const at = line.indexOf("listening on http://");
      if (at >= 0) ok(line.slice(at + "listening on ".length).trim());
    });
    proc.on("exit", () => fail(new Error(`hark did not start: ${readFileSync(join(dir, "serve.log"), "utf8")}`)));
  });
  const basic = "Basic " + Buffer.from(`${project.api_key}:${project.secret_key}`).toString("base64");
  return {
    base,
    app: app.application_id,
    strictApp: strict.application_id,
    credentials: { accessKeyId: key.access_key_id, secretAccessKey: key.secret_access_key },
    /** GET a read-back route with the project's Basic credentials (HTTP/1.1, Node's fetch). */
    async get(path) {
      const r = await fetch(base + path, { headers: { Authorization: basic } });
      if (!r.ok) throw new Error(`GET ${path}: ${r.status} ${await r.text()}`);
      return r.json();
    },
    stop() {
      proc.kill("SIGTERM");
      return new Promise((ok) => proc.on("exit", () => {
        rmSync(dir, { recursive: true, force: true });
        ok();
      }));
    },
  };
}
