/**
 * Where and on what a bench ran: CPU pinning (`taskset`), machine notes and the source version
 * printed at the top of every report.
 */
import { execFileSync } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';

const ROOT = path.join(__dirname, '..', '..', '..');

/** `taskset` exists and the machine has at least two CPUs, so server and client can be kept apart. */
export function canPin(): boolean {
  if (os.cpus().length < 2) return false;
  try {
    execFileSync('taskset', ['-V'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** Pins every thread of this process to `cpu` (threads created later inherit it). */
export function pinSelf(cpu: number): void {
  execFileSync('taskset', ['-a', '-cp', String(cpu), String(process.pid)], { stdio: 'ignore' });
}

/** `fork()` options that start the child under `taskset -c cpu`, so it is pinned before its first instruction. */
export function pinnedForkOptions(cpu: number | undefined): { execPath?: string; execArgv: string[] } {
  if (cpu === undefined) return { execArgv: [] };
  return { execPath: 'taskset', execArgv: ['-c', String(cpu), process.execPath] };
}

/** `commit abc1234` (+ uncommitted changes in src/), or `not a git checkout`. */
export function sourceVersion(): string {
  try {
    const git = (args: string[]) => execFileSync('git', args, { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    const commit = git(['rev-parse', '--short', 'HEAD']);
    return `commit ${commit}${git(['--no-optional-locks', 'status', '--porcelain', '--', 'src']) ? ' + uncommitted changes in src/' : ''}`;
  } catch {
    return 'not a git checkout';
  }
}

/** One line: Node, CPUs, memory, load average. */
export function machineLine(): string {
  const cpus = os.cpus();
  const load = os.loadavg().map((n) => n.toFixed(2)).join(' ');
  return `Node ${process.version}, ${cpus.length} × ${cpus[0]?.model.trim() ?? 'unknown CPU'}, ${Math.round(os.totalmem() / 2 ** 30)} GiB; load average ${load}`;
}

/** The command that produced a report, as it can be re-run from the repository root. */
export function commandLine(script: string): string {
  return `node dist/bench/${script} ${process.argv.slice(2).join(' ')}`.trimEnd();
}
