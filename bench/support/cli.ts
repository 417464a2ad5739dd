/** Command-line flags shared by the bench scripts: `--name value`, `--name` alone, `--quick`; report output. */
import fs from 'node:fs';
import path from 'node:path';

/** The value after `--name`; `''` when the flag stands alone; `undefined` when absent. */
export function flag(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  if (i < 0) return undefined;
  const value = process.argv[i + 1];
  return value === undefined || value.startsWith('--') ? '' : value;
}

/** Whether `--name` was given. */
export function hasFlag(name: string): boolean {
  return process.argv.includes(`--${name}`);
}

/** A positive number flag, else `fallback`. */
export function numberFlag(name: string, fallback: number): number {
  const value = flag(name);
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`--${name} needs a positive number, not "${value}"`);
  return n;
}

/** A comma-separated list flag whose items must be in `allowed`, else `fallback`. */
export function listFlag<T extends string>(name: string, allowed: readonly T[], fallback: readonly T[]): T[] {
  const value = flag(name);
  if (value === undefined) return [...fallback];
  const list = value.split(',').map((s) => s.trim()).filter(Boolean) as T[];
  for (const item of list) if (!allowed.includes(item)) throw new Error(`--${name}: unknown "${item}" (known: ${allowed.join(', ')})`);
  return list;
}

/** `--quick`: a short run to check the bench works, not figures to quote. */
export const QUICK = hasFlag('quick');


/** Prints a report to stdout and, with `--out FILE`, writes it there too. */
export function writeReport(text: string, out: string | undefined): void {
  process.stdout.write(text);
  if (!out) return;
  fs.mkdirSync(path.dirname(path.resolve(out)), { recursive: true });
  fs.writeFileSync(out, text);
  progress(`report written to ${out}`);
}

/** Progress goes to stderr; the report to stdout (and `--out`). */
export function progress(message: string): void {
  process.stderr.write(`${message}\n`);
}
