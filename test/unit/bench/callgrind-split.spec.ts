import {
  addressOf,
  classify,
  costByName,
  displayName,
  fnKey,
  mergeDumps,
  parseDump,
  PerfMap,
  splitDump,
  topByCategory,
  withoutTier,
} from '../../../bench/support/callgrind-split';

/**
 * The instruction-count referee's per-function split (bench/support/callgrind-split.ts), on a
 * small hand-written dump: a JS entry builtin (mutator) and the scavenger (minor GC) both call
 * libc's memcpy (contextual: split by its callers' inclusive cost), plus one JIT block without a
 * symbol. Name compression, relative positions and the Ir column among other events are used as
 * callgrind writes them.
 */
const NODE = '/usr/bin/node';
const LIBC = '/lib/x86_64-linux-gnu/libc.so.6';
const SCAVENGE = 'v8::internal::ScavengerCollector::CollectGarbage()';
const DUMP = [
  '# callgrind format',
  'version: 1',
  'creator: hand-written',
  'positions: line',
  'events: Dr Ir',
  '',
  `ob=(1) ${NODE}`,
  'fn=(1) Builtins_JSEntry',
  '10 7 100',
  `cfn=(2) ${SCAVENGE}`,
  'calls=2 20',
  '11 0 400',
  `cob=(3) ${LIBC}`,
  'cfn=(4) memcpy',
  'calls=5 0',
  '+1 0 60',
  'fn=(2)',
  '20 3 200',
  'cob=(3)',
  'cfn=(4)',
  'calls=1 0',
  '* 0 180',
  'ob=(3)',
  'fn=(4)',
  '0 9 240',
  'ob=(5) ???',
  'fn=(6) 0x00000000000010f0',
  '0 1 90',
  'fn=(7) 0x0000000000001200',
  '0 1 30',
  '',
  'totals: 99 660',
].join('\n');

describe('callgrind-split', () => {
  describe('parseDump', () => {
    it('reads self costs from the Ir column, with compressed names, relative positions and call lines', () => {
      const dump = parseDump(DUMP);
      expect(dump.totals).toBe(660);
      const self = Object.fromEntries([...dump.fns.values()].map((f) => [f.name, f.self]));
      // A call line's cost is the call's inclusive cost, not the caller's self cost.
      expect(self).toEqual({ Builtins_JSEntry: 100, [SCAVENGE]: 200, memcpy: 240, '0x00000000000010f0': 90, '0x0000000000001200': 30 });
      expect(dump.fns.get(fnKey(LIBC, 'memcpy'))).toMatchObject({ object: LIBC });
      expect(dump.fns.get(fnKey('???', '0x00000000000010f0'))).toBeDefined();
    });

    it('records each call edge with its count and inclusive cost; a callee without cob= is in the caller object', () => {
      const edges = [...parseDump(DUMP).edges.values()].map((e) => [e.caller, e.callee, e.calls, e.inclusive]);
      expect(edges).toEqual([
        [fnKey(NODE, 'Builtins_JSEntry'), fnKey(NODE, SCAVENGE), 2, 400],
        [fnKey(NODE, 'Builtins_JSEntry'), fnKey(LIBC, 'memcpy'), 5, 60],
        [fnKey(NODE, SCAVENGE), fnKey(LIBC, 'memcpy'), 1, 180],
      ]);
    });

    it('takes summary: when there is no totals: line, and refuses a dump with neither', () => {
      expect(parseDump(DUMP.replace('totals: 99 660', 'summary: 99 661')).totals).toBe(661);
      expect(() => parseDump(DUMP.replace('totals: 99 660', ''))).toThrow(/no totals/);
    });
  });

  it('mergeDumps adds totals, self costs and edges of several threads', () => {
    const one = parseDump(DUMP);
    const merged = mergeDumps([parseDump(DUMP), parseDump(DUMP)]);
    expect(merged.totals).toBe(2 * one.totals);
    expect(merged.fns.get(fnKey(LIBC, 'memcpy'))!.self).toBe(480);
    expect(merged.edges.get(`${fnKey(NODE, SCAVENGE)}\n${fnKey(LIBC, 'memcpy')}`)).toMatchObject({ calls: 2, inclusive: 360 });
    // The inputs are left as they were.
    expect(one.fns.get(fnKey(LIBC, 'memcpy'))!.self).toBe(240);
  });

  describe('classify', () => {
    it.each([
      ['Builtins_JSEntry', NODE, 'mutator'],
      ['0x00000000000010f0', '???', 'mutator'],
      ['node::http_parser::Parser::Execute()', NODE, 'mutator'],
      ['v8::internal::Runtime_SetKeyedProperty(int, unsigned long*, v8::internal::Isolate*)', NODE, 'mutator'],
      [SCAVENGE, NODE, 'gcMinor'],
      [`${SCAVENGE}'2`, NODE, 'gcMinor'],
      ['v8::internal::MarkCompactCollector::CollectGarbage()', NODE, 'gcMajor'],
      ['void v8::internal::HeapVisitor<int, v8::internal::ConcurrentMarkingVisitor>::VisitMapPointer()', NODE, 'gcMajor'],
      ['v8::internal::GCTracer::StartCycle()', NODE, 'gcShared'],
      ['v8::internal::compiler::PipelineImpl::Run()', NODE, 'compiler'],
      ['v8::internal::maglev::MaglevGraphBuilder::Build()', NODE, 'compiler'],
      ['Builtins_CompileLazy', NODE, 'compiler'],
      ['memcpy', LIBC, 'context'],
      ['v8::internal::Map::TransitionToDataProperty()', NODE, 'context'],
    ])('%s (%s) is %s', (name, object, category) => {
      expect(classify(name, object)).toBe(category);
    });
  });

  describe('splitDump', () => {
    it("splits a contextual function's self cost by its callers' inclusive cost, and the categories add up to the self costs", () => {
      const split = splitDump(parseDump(DUMP));
      const memcpy = split.fns.find((f) => f.name === 'memcpy')!;
      expect(memcpy.rule).toBe('context');
      // 60 of its inclusive cost from JS (mutator), 180 from the scavenger: a quarter and three quarters.
      expect(memcpy.shares.mutator).toBeCloseTo(0.25);
      expect(memcpy.shares.gcMinor).toBeCloseTo(0.75);
      expect(split.byCategory.mutator).toBeCloseTo(100 + 60 + 90 + 30);
      expect(split.byCategory.gcMinor).toBeCloseTo(200 + 180);
      expect(split.byCategory.gcMajor + split.byCategory.gcShared + split.byCategory.compiler).toBe(0);
      const sum = Object.values(split.byCategory).reduce((a, b) => a + b, 0);
      expect(sum).toBeCloseTo(660);
    });

    it('follows chains of contextual functions to a categorised caller', () => {
      const chained = DUMP.replace('fn=(4)\n0 9 240', `fn=(4)\n0 9 240\ncob=(3)\ncfn=(8) malloc\ncalls=1 0\n0 0 50\nfn=(8)\n0 0 50`).replace(
        'totals: 99 660',
        'totals: 99 710',
      );
      const split = splitDump(parseDump(chained));
      const malloc = split.fns.find((f) => f.name === 'malloc')!;
      // malloc's only caller is memcpy: it inherits memcpy's shares.
      expect(malloc.shares.mutator).toBeCloseTo(0.25);
      expect(malloc.shares.gcMinor).toBeCloseTo(0.75);
      expect(split.byCategory.gcMinor).toBeCloseTo(200 + 180 + 37.5);
    });

    it('counts collections by the calls to their entry points', () => {
      expect(splitDump(parseDump(DUMP)).gcEvents).toEqual({ scavenges: 2, markCompacts: 0 });
    });
  });

  describe('JIT code names', () => {
    // Two code objects at 0x1000; the later one (created after the first died) names the address.
    const perfMap = new PerfMap(['1000 200 JS:~old file.js:1:1', '1000 100 JS:*handler file.js:9:3', '1180 40 Builtin:Foo', 'garbage line', ''].join('\n'));

    it('a perf map names an address by the latest code object covering it', () => {
      expect(perfMap.size).toBe(3);
      expect(perfMap.lookup(0x10f0)).toBe('JS:*handler file.js:9:3');
      // Past the later object's end only the earlier one covers it, until a third, later one starts.
      expect(perfMap.lookup(0x1150)).toBe('JS:~old file.js:1:1');
      expect(perfMap.lookup(0x1190)).toBe('Builtin:Foo');
      expect(perfMap.lookup(0x0fff)).toBeUndefined();
      expect(perfMap.lookup(0x1200)).toBeUndefined();
    });

    it('addresses, tier marks and display names', () => {
      expect(addressOf('0x00000000000010f0')).toBe(0x10f0);
      expect(addressOf("0x00000000000010f0'3")).toBe(0x10f0);
      expect(addressOf('memcpy')).toBeUndefined();
      expect(withoutTier('JS:*handler file.js:9:3')).toBe('JS:handler file.js:9:3');
      expect(withoutTier('~lazy')).toBe('lazy');
      expect(displayName({ name: '0x00000000000010f0', object: '???', self: 1 }, perfMap)).toBe('JIT JS:handler file.js:9:3');
      expect(displayName({ name: '0x0000000000009999', object: '???', self: 1 }, perfMap)).toBe('JIT code (not in the perf map)');
      expect(displayName({ name: '0x0000000000009999', object: LIBC, self: 1 }, perfMap)).toBe('libc.so.6 (no symbol)');
      expect(displayName({ name: "memcpy'2", object: LIBC, self: 1 }, undefined)).toBe('memcpy');
    });

    it('costByName adds the blocks of one JIT function; topByCategory ranks what each category holds', () => {
      const split = splitDump(parseDump(DUMP));
      const sameFunction = new PerfMap(['10f0 20 JS:*handler a.js:1:1', '1200 20 JS:^handler a.js:1:1'].join('\n'));
      const byName = costByName(split, sameFunction);
      expect(byName.get('JIT JS:handler a.js:1:1')!.ir).toBe(120);
      const top = topByCategory(split, sameFunction, 2);
      expect(top.mutator.map((e) => [e.name, e.ir])).toEqual([
        ['JIT JS:handler a.js:1:1', 120],
        ['Builtins_JSEntry', 100],
      ]);
      expect(top.gcMinor.map((e) => e.name)).toEqual([SCAVENGE, 'memcpy']);
      expect(top.gcMinor[1].ir).toBeCloseTo(180);
      expect(top.compiler).toEqual([]);
    });
  });
});
