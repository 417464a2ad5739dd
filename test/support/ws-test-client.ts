import { io, type Socket } from 'socket.io-client';
import WebSocket from 'ws';

/** How a test client ended: socket.io's disconnect reason, or the ws close code and reason. */
export interface Closed {
  code?: number;
  reason: string;
}

/**
 * One WebSocket client for both libraries: connects with handshake headers (and socket.io
 * `auth`), sends `{event, data}` messages, and awaits the next event of a name or the close.
 */
export class WsTestClient {
  private readonly events: Array<{ event: string; data: unknown }> = [];
  private readonly waiters: Array<() => void> = [];
  private socket?: Socket;
  private ws?: WebSocket;
  /** Resolves when the server closed (or refused) the connection. */
  readonly closed: Promise<Closed>;
  private onClosed!: (closed: Closed) => void;
  connectError?: Error & { data?: unknown };

  constructor(
    readonly platform: 'socket.io' | 'ws',
    private readonly url: string,
  ) {
    this.closed = new Promise((resolve) => (this.onClosed = resolve));
  }

  /** Opens the connection; resolves once open (or once refused: see `connectError` / `closed`). */
  async connect(headers: Record<string, string> = {}, auth?: Record<string, string>): Promise<this> {
    if (this.platform === 'socket.io') {
      const socket = io(this.url, { transports: ['websocket'], extraHeaders: headers, auth, reconnection: false, forceNew: true });
      this.socket = socket;
      socket.onAny((event: string, data: unknown) => this.push(event, data));
      socket.on('disconnect', (reason) => this.onClosed({ reason }));
      await new Promise<void>((resolve) => {
        socket.on('connect', () => resolve());
        socket.on('connect_error', (error) => {
          this.connectError = error;
          this.onClosed({ reason: 'connect_error' });
          resolve();
        });
      });
      return this;
    }
    const ws = new WebSocket(this.url, { headers });
    this.ws = ws;
    ws.on('message', (raw) => {
      const { event, data } = JSON.parse(raw.toString());
      this.push(event, data);
    });
    ws.on('close', (code, reason) => this.onClosed({ code, reason: reason.toString() }));
    await new Promise<void>((resolve, reject) => {
      ws.on('open', () => resolve());
      ws.on('error', reject);
    });
    return this;
  }

  send(event: string, data: unknown = {}): void {
    if (this.socket) this.socket.emit(event, data);
    else this.ws!.send(JSON.stringify({ event, data }));
  }

  /** The next (not yet consumed) event of that name. */
  async next(event: string, timeoutMs = 5000): Promise<any> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const index = this.events.findIndex((e) => e.event === event);
      if (index >= 0) return this.events.splice(index, 1)[0].data;
      if (Date.now() > deadline) throw new Error(`no "${event}" event within ${timeoutMs} ms (got: ${JSON.stringify(this.events)})`);
      await new Promise<void>((resolve) => {
        this.waiters.push(resolve);
        setTimeout(resolve, 50);
      });
    }
  }

  /** Sends and awaits the answer event (the same name) or an exception, whichever comes first. */
  async request(event: string, data: unknown = {}): Promise<{ event: string; data: any }> {
    this.send(event, data);
    const deadline = Date.now() + 5000;
    for (;;) {
      const index = this.events.findIndex((e) => e.event === event || e.event === 'exception');
      if (index >= 0) return this.events.splice(index, 1)[0];
      if (Date.now() > deadline) throw new Error(`no answer to "${event}"`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  close(): void {
    this.socket?.close();
    this.ws?.close();
  }

  private push(event: string, data: unknown): void {
    this.events.push({ event, data });
    for (const wake of this.waiters.splice(0)) wake();
  }
}
