// Child processes for the benchmark: servers, load generators and sections each get their own.
import { type ChildProcess, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";

export const here = (file: string) => fileURLToPath(new URL(file, import.meta.url));
export const serverBundle = here("../../server/dist/server.mjs");

/** Runs `node args…` to its end and returns its last JSON line. */
export function runJson<T>(args: string[], env: NodeJS.ProcessEnv = {}): Promise<T> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { env: { ...process.env, ...env } });
    let out = "";
    let err = "";
    child.stdout.on("data", (chunk) => (out += chunk));
    child.stderr.on("data", (chunk) => (err += chunk));
    child.once("exit", (code) => {
      const last = out.trim().split("\n").at(-1) ?? "";
      if (code !== 0) return reject(new Error(`${args.join(" ")} exited ${code}: ${err}`));
      try {
        resolve(JSON.parse(last) as T);
      } catch {
        reject(new Error(`no JSON from ${args.join(" ")}: ${out} ${err}`));
      }
    });
  });
}

/** Starts a server process and resolves once `ready` answers 200. */
export async function startServer(
  args: string[],
  ready: string,
  env: NodeJS.ProcessEnv = {},
): Promise<ChildProcess> {
  const child = spawn(process.execPath, args, {
    env: { ...process.env, ...env },
    stdio: ["ignore", "ignore", "inherit"],
  });
  for (let i = 0; i < 400; i++) {
    try {
      const res = await fetch(ready);
      if (res.status < 500) return child;
    } catch {}
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  child.kill("SIGKILL");
  throw new Error(`server ${args.join(" ")} did not start`);
}

export function stop(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null) return resolve();
    child.once("exit", () => resolve());
    child.kill("SIGTERM");
  });
}
