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

/**
 * `fork()` options that start the child under `taskset -c cpu` (pinned before its first
 * instruction) and, with `nice`, at that scheduling priority (negative = ahead of the machine's
 * other work; needs root, and slows everything else down: only on a machine of your own).
 */
export function pinnedForkOptions(cpu: number | undefined, nice = 0): { execPath?: string; execArgv: string[] } {
  const command = [...(nice ? ['nice', '-n', String(nice)] : []), ...(cpu === undefined ? [] : ['taskset', '-c', String(cpu)])];
  if (command.length === 0) return { execArgv: [] };
  return { execPath: command[0], execArgv: [...command.slice(1), process.execPath] };
}

/** CPU time (user + system, all threads) this process has used, µs. */
export function cpuMicros(): number {
  const usage = process.cpuUsage();
  return usage.user + usage.system;
}

/**
 * `src/ of commit abc1234` (the last commit that changed `src/`, which is what a bench measures),
 * with HEAD when it differs and a note when `src/` has uncommitted changes.
 */
export function sourceVersion(): string {
  try {
    const git = (args: string[]) => execFileSync('git', args, { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    const head = git(['rev-parse', '--short', 'HEAD']);
    const src = git(['log', '-1', '--format=%h', '--', 'src']);
    const dirty = git(['--no-optional-locks', 'status', '--porcelain', '--', 'src']) ? ' + uncommitted changes in src/' : '';
    return `src/ of commit ${src}${src === head ? '' : `, HEAD ${head}`}${dirty}`;
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
  return `node build/bench/${script} ${process.argv.slice(2).join(' ')}`.trimEnd();
}
