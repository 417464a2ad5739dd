/** What a transport reports to the instance's receiver. */
export interface FeedTransportHandlers {
  /** A message (`<seq> <body>` or `<seq>`) arrived. */
  message(text: string): void;
  /** The connection was lost: messages may be missing from now on. */
  down(reason: string): void;
  /** Listening (again): messages from now on arrive; what came before must be read from the log. */
  up(): void;
}

/** Carries feed messages between instances. */
export interface FeedTransport {
  /** Starts listening (and reconnecting after losses); resolves once the first attempt ended. */
  start(handlers: FeedTransportHandlers): Promise<void>;
  /** Stores `body` in the log and sends it to every instance (this one included); its sequence number. */
  publish(body: string, nowMs: number): Promise<number>;
  /** Stops listening and closes the transport's own connections. */
  close(): Promise<void>;
}

/** Delay before the next reconnection attempt: 100 ms doubling to 2 s. */
export function reconnectDelay(attempt: number): number {
  return Math.min(2000, 100 * 2 ** Math.min(attempt, 5));
}
