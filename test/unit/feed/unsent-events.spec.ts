import { UNSENT_LIMIT, UnsentEvents } from '../../../src/feed/unsent-events';

/** A transport that refuses while `down` is true and records what it sent. */
function transport() {
  const state = { down: true, attempts: 0, sent: [] as string[], now: 1_000_000, reports: [] as string[] };
  const events = new UnsentEvents(
    async (body) => {
      state.attempts++;
      if (state.down) throw new Error('log unavailable');
      state.sent.push(body);
    },
    () => state.now,
    (message) => state.reports.push(message),
  );
  return { state, events };
}

describe('UnsentEvents (events an instance failed to publish)', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('sends again, oldest first, backing off from 250 ms to 5 s while refused, until it goes', async () => {
    const { state, events } = transport();
    events.add('first', state.now, state.now + 60_000);
    events.add('second', state.now, state.now + 60_000);
    await jest.advanceTimersByTimeAsync(249);
    expect(state.attempts).toBe(0);
    await jest.advanceTimersByTimeAsync(1);
    expect(state.attempts).toBe(1);
    // 250 + 500 + 1000 + 2000 + 4000 + 5000 + 5000: attempts 2..7 within 17,750 ms of the first.
    await jest.advanceTimersByTimeAsync(17_500);
    expect(state.attempts).toBe(7);
    expect(events.size).toBe(2);
    state.down = false;
    await jest.advanceTimersByTimeAsync(5000);
    expect(state.sent).toEqual(['first', 'second']);
    expect(events.size).toBe(0);
    // Back to a quick first retry after a success.
    state.down = true;
    events.add('third', state.now, state.now + 60_000);
    await jest.advanceTimersByTimeAsync(250);
    expect(state.attempts).toBe(10);
  });

  it('drops, unsent, an event whose tokens have all expired', async () => {
    const { state, events } = transport();
    events.add('stale', state.now, state.now + 1000);
    events.add('fresh', state.now, state.now + 60_000);
    state.now += 2000;
    state.down = false;
    await jest.advanceTimersByTimeAsync(250);
    expect(state.sent).toEqual(['fresh']);
    expect(events.size).toBe(0);
  });

  it(`keeps at most ${UNSENT_LIMIT} events, dropping the oldest and saying so`, async () => {
    const { state, events } = transport();
    for (let i = 0; i < UNSENT_LIMIT + 2; i++) events.add(`e${i}`, state.now, state.now + 60_000);
    expect(events.size).toBe(UNSENT_LIMIT);
    expect(events.dropped).toBe(2);
    expect(state.reports).toHaveLength(2);
    state.down = false;
    await jest.advanceTimersByTimeAsync(250);
    expect(state.sent[0]).toBe('e2');
    expect(state.sent).toHaveLength(UNSENT_LIMIT);
  });

  it('flush (shutdown) with the transport still down: one attempt, not one per event, and nothing kept', async () => {
    const { state, events } = transport();
    for (let i = 0; i < 100; i++) events.add(`e${i}`, state.now, state.now + 60_000);
    await events.flush();
    expect(state.attempts).toBe(1);
    expect(events.size).toBe(0);
  });

  it('flush (shutdown): one last attempt for each, then nothing more is kept or sent', async () => {
    const { state, events } = transport();
    events.add('a', state.now, state.now + 60_000);
    events.add('b', state.now, state.now + 60_000);
    state.down = false;
    await events.flush();
    expect(state.sent).toEqual(['a', 'b']);
    events.add('after', state.now, state.now + 60_000);
    await jest.advanceTimersByTimeAsync(10_000);
    expect(state.sent).toEqual(['a', 'b']);
    expect(events.size).toBe(0);
  });
});
