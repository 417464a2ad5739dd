/**
 * V8's sampling profiler inside a bench server (`--cpu-prof`), through the inspector: started
 * and stopped on demand, so a profile covers the measured load only (not start-up, warm-up or
 * the other servers' turns), written as a `.cpuprofile` that Chrome DevTools opens and
 * `throughput-profile.ts` summarises.
 */
import fs from 'node:fs';
import { Session } from 'node:inspector';
import path from 'node:path';

/** Sampling interval (V8's default is 1000 µs; a guard costs tens of µs per request). */
const SAMPLING_MICROS = 200;

export class CpuProfiler {
  private session?: Session;

  private post(method: string, params: object = {}): Promise<unknown> {
    return new Promise((resolve, reject) =>
      this.session!.post(method, params, (error, result) => (error ? reject(error) : resolve(result))),
    );
  }

  async start(): Promise<void> {
    this.session = new Session();
    this.session.connect();
    await this.post('Profiler.enable');
    await this.post('Profiler.setSamplingInterval', { interval: SAMPLING_MICROS });
    await this.post('Profiler.start');
  }

  /** Stops and writes the profile to `file`. */
  async stop(file: string): Promise<void> {
    if (!this.session) return;
    const { profile } = (await this.post('Profiler.stop')) as { profile: unknown };
    this.session.disconnect();
    this.session = undefined;
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, JSON.stringify(profile));
  }
}
