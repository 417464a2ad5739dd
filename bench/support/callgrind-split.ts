/**
 * A per-function split of a callgrind dump (`bench/instructions.ts`): the self cost (Ir) of every
 * function of a dump file, read from its `fn=` records, classified into what the server does for
 * the requests (**mutator**: JIT code, the interpreter, builtins, V8's runtime and ICs, Node, libuv,
 * OpenSSL), V8's **GC** (minor = scavenges of the young generation; major = mark-compact with
 * its incremental and concurrent marking and sweeping; shared = GC entry and bookkeeping that
 * either kind runs) and V8's **compiler** work (TurboFan/Turboshaft, Maglev, Sparkplug, lazy
 * parsing and bytecode generation, deoptimisation, tiering, code-creation logging).
 *
 * Functions that are not V8's own to one side (libc's memcpy/malloc, `v8::base::`, `std::`, V8's
 * generic object and heap helpers, …) are *contextual*: their self cost is split between the
 * categories in proportion to the inclusive cost of the calls each category makes to them (the
 * `calls=` records), propagated through chains of contextual functions (memcpy called by the
 * scavenger counts as minor GC, memcpy called by JIT code as mutator). Callgrind keeps one level
 * of calling context per cost (no call stacks), so this is an approximation, good to the
 * percent of the window, not to the instruction.
 *
 * JIT code has no symbol: callgrind names each of its basic blocks by address
 * (`0x00000000xxxxxxxx`, object `???`). With node's `--perf-basic-prof` the map
 * `/tmp/perf-<pid>.map` (`start size name` per line) gives the JS function, stub or regexp each
 * address belongs to (`PerfMap`).
 *
 * Run on saved dumps (`bench/instructions.ts --keep DIR`):
 *   node build/bench/support/callgrind-split.js DUMP... [--perf-map FILE] [--top N]
 * prints each dump's split and the top functions of each category;
 *   node build/bench/support/callgrind-split.js DUMP --perf-map FILE --callers REGEX
 * lists who calls the functions matching REGEX (inclusive Ir and calls per caller), to check a
 * rule or follow a cost back to the JS function that causes it.
 */
import fs from 'node:fs';

// ---- parsing ------------------------------------------------------------------------------------

export interface FnSelf {
  /** The function's name as callgrind gives it (a symbol, or the address of a basic block). */
  name: string;
  /** The ELF object (`???` for JIT code and anything else without an object). */
  object: string;
  self: number;
}

export interface CallEdge {
  caller: string;
  callee: string;
  calls: number;
  /** Inclusive Ir of these calls. */
  inclusive: number;
}

export interface Dump {
  totals: number;
  /** By `fnKey(object, name)`. */
  fns: Map<string, FnSelf>;
  /** By `caller + '\n' + callee`. */
  edges: Map<string, CallEdge>;
}

export const fnKey = (object: string, name: string) => `${object}\t${name}`;

/** Reads `(id) name` / `(id)` name compression of one of callgrind's name tables. */
function compressed(table: Map<string, string>, value: string): string {
  if (value[0] !== '(') return value;
  const close = value.indexOf(')');
  const id = value.slice(0, close + 1);
  const rest = value.slice(close + 1).trim();
  if (rest) {
    table.set(id, rest);
    return rest;
  }
  return table.get(id) ?? id;
}

/** Parses one callgrind dump file (format version 1, any `positions:`, the `Ir` event). */
export function parseDump(text: string): Dump {
  const fns = new Map<string, FnSelf>();
  const edges = new Map<string, CallEdge>();
  const obNames = new Map<string, string>();
  const fnNames = new Map<string, string>();
  let positions = 1;
  let irColumn = 0;
  let totals: number | undefined;
  let summary: number | undefined;
  let ob = '???';
  let fn: FnSelf | undefined;
  let cob: string | undefined;
  let cfn: string | undefined;
  /** Set by `calls=`: the next cost line is that call's inclusive cost. */
  let pendingCall: CallEdge | undefined;
  const fnOf = (object: string, name: string) => {
    const key = fnKey(object, name);
    let f = fns.get(key);
    if (!f) fns.set(key, (f = { name, object, self: 0 }));
    return f;
  };
  let start = 0;
  while (start < text.length) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    const line = text.slice(start, end);
    start = end + 1;
    if (line.length === 0 || line[0] === '#') continue;
    const c = line.charCodeAt(0);
    // Cost line: positions (number, +n, -n, *, 0x…) then events.
    if ((c >= 48 && c <= 57) || c === 43 /* + */ || c === 45 /* - */ || c === 42 /* * */) {
      const fields = line.split(' ');
      const ir = Number(fields[positions + irColumn] ?? 0);
      if (pendingCall) {
        pendingCall.inclusive += ir;
        pendingCall = undefined;
      } else if (fn) fn.self += ir;
      continue;
    }
    const eq = line.indexOf('=');
    const colon = line.indexOf(':');
    if (eq > 0 && (colon < 0 || eq < colon)) {
      const key = line.slice(0, eq);
      const value = line.slice(eq + 1);
      switch (key) {
        case 'ob':
          ob = compressed(obNames, value);
          break;
        case 'fn':
          fn = fnOf(ob, compressed(fnNames, value));
          break;
        case 'cob':
          cob = compressed(obNames, value);
          break;
        case 'cfn':
          cfn = compressed(fnNames, value);
          break;
        case 'calls': {
          if (!fn || cfn === undefined) break;
          const callee = fnOf(cob ?? ob, cfn);
          const caller = fnKey(fn.object, fn.name);
          const calleeKey = fnKey(callee.object, callee.name);
          const edgeKey = `${caller}\n${calleeKey}`;
          let edge = edges.get(edgeKey);
          if (!edge) edges.set(edgeKey, (edge = { caller, callee: calleeKey, calls: 0, inclusive: 0 }));
          edge.calls += Number(value.split(' ')[0]);
          pendingCall = edge;
          cob = undefined;
          cfn = undefined;
          break;
        }
        default:
          // fl=, fi=, fe=, cfi=, cfl=, jump=, jcnd=: not needed for self costs by function.
          break;
      }
      continue;
    }
    if (colon > 0) {
      const key = line.slice(0, colon);
      const value = line.slice(colon + 1).trim();
      if (key === 'positions') positions = value.split(/\s+/).length;
      else if (key === 'events') irColumn = Math.max(0, value.split(/\s+/).indexOf('Ir'));
      else if (key === 'totals') totals = Number(value.split(/\s+/)[irColumn]);
      else if (key === 'summary') summary = Number(value.split(/\s+/)[irColumn]);
    }
  }
  const total = totals ?? summary;
  if (total === undefined) throw new Error('no totals: or summary: line in the callgrind dump');
  return { totals: total, fns, edges };
}

/** Adds several dump files (threads of one window) into one. */
export function mergeDumps(dumps: Dump[]): Dump {
  if (dumps.length === 1) return dumps[0];
  const merged: Dump = { totals: 0, fns: new Map(), edges: new Map() };
  for (const d of dumps) {
    merged.totals += d.totals;
    for (const [k, f] of d.fns) {
      const m = merged.fns.get(k);
      if (m) m.self += f.self;
      else merged.fns.set(k, { ...f });
    }
    for (const [k, e] of d.edges) {
      const m = merged.edges.get(k);
      if (m) {
        m.calls += e.calls;
        m.inclusive += e.inclusive;
      } else merged.edges.set(k, { ...e });
    }
  }
  return merged;
}

// ---- classification -----------------------------------------------------------------------------

export const CATEGORIES = ['mutator', 'gcMinor', 'gcMajor', 'gcShared', 'compiler'] as const;
export type Category = (typeof CATEGORIES)[number];
export const CATEGORY_LABELS: Record<Category, string> = {
  mutator: 'mutator',
  gcMinor: 'GC minor (scavenge)',
  gcMajor: 'GC major (mark-compact)',
  gcShared: 'GC shared',
  compiler: 'compiler',
};

type Rule = [RegExp, Category | 'context'];

/**
 * Ordered rules on a function's name (first match wins); names are C++ demangled by callgrind.
 * Written from the symbols of real dumps of node 20 (V8 11.3) serving Nest on Express and Fastify.
 */
const NAME_RULES: Rule[] = [
  // Compiler: optimising tiers, baseline, lazy compilation (parse + bytecode), deopt, tiering, code logging.
  [/^v8::internal::(compiler|maglev|baseline)::/, 'compiler'],
  [/Turboshaft|turboshaft::/, 'compiler'],
  [/^v8::internal::(OptimizingCompileDispatcher|Compiler|UnoptimizedCompil|BackgroundCompileTask|ParseInfo|ReusableUnoptimizedCompileState|CompilationCache|CompilationJob|OptimizedCompilationJob|TurbofanCompilationJob|OptimizedCompilationInfo|UnoptimizedCompilationInfo|BaselineBatchCompiler|TieringManager|Deoptimizer|FrameTranslationBuilder|TranslationArrayBuilder)\b/, 'compiler'],
  // (TranslatedState/TranslatedFrame/TranslationArrayIterator are not listed: besides deoptimisation they build the
  // stack traces of optimised frames, `new Error()` and `Error.captureStackTrace`, mutator work; they go by caller.)
  [/^v8::internal::(Parser|ParserBase|PreParser|PreParserFactory|PreParseData|ZonePreparseData|PreparseDataBuilder|Scanner|Utf16CharacterStream|BufferedCharacterStream|UnbufferedCharacterStream|RelocatingCharacterStream|ScannerStream|AstValueFactory|AstRawString|AstConsString|AstNodeFactory|AstTraversalVisitor|AstFunctionLiteralIdReindexer|Scope|DeclarationScope|ClassScope|ModuleScope|VariableMap|Variable|FunctionLiteral|ClassLiteral|ObjectLiteral|ArrayLiteral|Expression|Statement|FuncNameInferrer|SourceRangeAstVisitor|SourceRangeMap|Rewriter|Processor|ExpressionScope|FunctionState|BlockState|PendingCompilationErrorHandler|ConsumedPreparseData|BaseConsumedPreparseData|ProducedPreparseData|Zone|ZoneList|AccountingAllocator|SourcePositionTableBuilder|HandlerTableBuilder|Assembler|MacroAssembler|TurboAssembler|SharedTurboAssembler|AssemblerBase|AssemblerBuffer|Label|CodeDesc|SafepointTableBuilder|ConstantPool|CodeCommentsWriter|Factory::CodeBuilder|CodeEventLogger|LinuxPerfBasicLogger|LinuxPerfJitLogger|Logger::Code|ExistingCodeLogger|CodeEventDispatcher|Logger|V8FileLogger|CodeCreateEvent|interpreter::)\b/, 'compiler'],
  [/^v8::internal::(Runtime_Compile|Runtime_InstallBaselineCode|Runtime_NotifyDeoptimized|Runtime_HealOptimizedCodeSlot|Runtime_FunctionLogNextExecution|Runtime_BytecodeBudgetInterrupt|Runtime_Deoptimize|Runtime_ObserveNode|Runtime_CompileLazy|Runtime_CompileOptimized|Runtime_InstallSFICode)/, 'compiler'],
  [/^v8::internal::__RT_impl_Runtime_(Compile|InstallBaselineCode|NotifyDeoptimized|HealOptimizedCodeSlot|BytecodeBudgetInterrupt|Deoptimize|CompileLazy|CompileOptimized|InstallSFICode)/, 'compiler'],
  [/^Builtins_(CompileLazy|CompileLazyDeoptimizedCode|InstallBaselineCode|BaselineOnStackReplacement|InterpreterOnStackReplacement|DeoptimizationEntry|ContinueToCode|NotifyDeoptimized|BaselineOrInterpreterEnterAtBytecode|BaselineOrInterpreterEnterAtNextBytecode|InterpreterEnterAtBytecode|InterpreterEnterAtNextBytecode|MaglevOnStackReplacement)/, 'compiler'],
  // GC, minor: the scavenger (and minor mark-compact, off by default in node 20).
  [/^v8::internal::(Scavenger|ScavengerCollector|ScavengeVisitor|ScavengeJob|ScavengeTaskObserver|RootScavengeVisitor|IterateAndScavengePromotedObjectsVisitor|ScavengerObjectVisitor|MinorMarkCompactCollector|MinorMC|YoungGenerationMarkingVisitor|YoungGenerationMarkingTask|YoungGenerationMainMarkingVisitor|YoungGenerationConcurrentMarkingVisitor|YoungGenerationEvacuator|YoungGenerationMarkingJob|YoungGenerationRecordMigratedSlotVisitor|YoungGenerationEvacuationVerifier|MinorGCJob|PageScavengingItem|ScavengerCollector::JobTask)\b/, 'gcMinor'],
  [/Scaveng/, 'gcMinor'],
  [/^v8::internal::Heap::(Scavenge|EvacuateYoungGeneration|UpdateYoungReferencesInExternalStringTable|ProcessYoungWeakReferences|MinorMarkCompact|IterateRoots|ShouldBePromoted)/, 'gcMinor'],
  // GC, major: mark-compact with incremental and concurrent marking, sweeping, compaction, cppgc's marking.
  [/^v8::internal::(MarkCompactCollector|MarkingVisitorBase|MainMarkingVisitor|ConcurrentMarking|ConcurrentMarkingVisitor|IncrementalMarking|IncrementalMarkingJob|MarkingBarrier|MarkingWorklists|MarkingState|MarkingStateBase|MajorNonAtomicMarkingState|NonAtomicMarkingState|AtomicMarkingState|MarkBit|Marking|MarkingHelper|WeakObjects|Sweeper|ArrayBufferSweeper|Evacuator|FullEvacuator|EvacuateVisitorBase|EvacuateNewSpaceVisitor|EvacuateOldSpaceVisitor|EvacuateNewSpacePageVisitor|EvacuateRecordOnlyVisitor|RecordMigratedSlotVisitor|PointersUpdatingVisitor|RememberedSetUpdatingItem|ToSpaceUpdatingItem|EphemeronTableUpdatingItem|MarkCompactWeakObjectRetainer|FullMarkingVerifier|MarkingVerifier|MemoryReducer|StressMarkingObserver|LiveObjectVisitor|LiveObjectRange|ObjectStatsCollector|ExternalPointerTable::Sweep|CodeFlusher|FlushBytecode|EmbedderTracingScope|LocalEmbedderHeapTracer|CppHeap|UnifiedHeapMarker|UnifiedHeapMarkingVisitor|UnifiedHeapMarkingState|MutatorUnifiedHeapMarkingState|ConcurrentUnifiedHeapMarkingVisitor)\b/, 'gcMajor'],
  [/^v8::internal::Heap::(MarkCompact|CollectAllGarbage|CollectAllAvailableGarbage|StartIncrementalMarking|FinalizeIncrementalMarking|CompleteSweepingFull|CompleteSweepingYoung|StartTearDown|NotifyContextDisposed|ReduceNewSpaceSize|MarkCompactEpilogue|MarkCompactPrologue|CheckIneffectiveMarkCompact|ResizeNewSpace|ShrinkOldGenerationAllocationLimitIfNotConfigured|RecomputeLimits|ProcessAllWeakReferences|ProcessNativeContexts|ProcessAllocationSites|ProcessDirtyJSFinalizationRegistries|PostFinalizationRegistryCleanupTaskIfNeeded|FlushNumberStringCache|ClearRecordedSlot|ClearRecordedSlotRange|CompactWeakArrayLists|IncrementalMarking)/, 'gcMajor'],
  [/^cppgc::internal::(Marker|MarkerBase|MarkingVisitor|MarkingStateBase|MarkingState|ConcurrentMarker|ConcurrentMarkingTask|Sweeper|SweepFinalizer|MutatorThreadSweeper|ConcurrentSweepTask|MarkingWorklists|BasicMarkingState|MutatorMarkingState|ConcurrentMarkingState|MarkingVerifier|StatsCollector|HeapBase::|Heap::|IncrementalMarkingSchedule|WriteBarrier::Dijkstra|WriteBarrier::Steele)/, 'gcMajor'],
  // Helpers the scavenger and mark-compact both use (named like one of them): by caller.
  [/^v8::internal::(EvacuationAllocator|SemiSpaceNewSpace::Evacuat|ConcurrentMarking::ClearMemoryChunkData|MarkingBarrier::(MarkingBarrier|~MarkingBarrier))/, 'context'],
  // Template visitors of the GC, named by their visitor argument wherever it stands
  // (`HeapVisitor<int, v8::internal::ConcurrentMarkingVisitor>::Visit…`, `BodyDescriptorBase::IteratePointers<v8::internal::ScavengeVisitor>`).
  [/Scaveng|MinorMarkCompact|MinorMC|YoungGeneration\w*(Marking|Evacuat|Visitor)/, 'gcMinor'],
  [/MarkingVisitor|MarkCompact|ConcurrentMarking|IncrementalMarking|MarkingBarrier|MarkingWorklist|Sweeper|Evacuat|RecordMigratedSlotVisitor|PointersUpdating|WeakObjectRetainer|UnifiedHeapMark/, 'gcMajor'],
  // GC, shared: the entry and bookkeeping both kinds run (the collection itself, the tracer, safepoints, page management).
  [/^v8::internal::(Heap::(CollectGarbage|PerformGarbageCollection|GarbageCollectionPrologue|GarbageCollectionEpilogue|GarbageCollectionPrologueInSafepoint|GarbageCollectionEpilogueInSafepoint|CallGCPrologueCallbacks|CallGCEpilogueCallbacks|UpdateSurvivalStatistics|UpdateMaximumCommitted|ComputeFastPromotionMode|ProcessPretenuringFeedback|SelectGarbageCollector|ResetAllAllocationSitesDependentCode|FreeLinearAllocationAreas|MakeLinearAllocationAreasIterable|EnsureSweepingCompleted|ZapFromSpace|VerifyHeap|ShouldOptimizeForMemoryUsage|ShouldExpandOldGenerationOnSlowAllocation|UpdateExternalString|UpdateNewSpaceReferencesInExternalStringTable|IterateStrongRoots|IterateWeakRoots|IterateSmiRoots|IterateBuiltins|IterateStackRoots|IterateConservativeStackRoots|Iterate\w*Roots|GarbageCollectionReasonToString|ReportStatisticsAfterGC|CheckCollectionRequested|HandleGCRequest|PreciseCollectAllGarbage|CollectGarbageShared|TearDown|NotifyOldGenerationExpansion|AllocationLimitOvershotByLargeMargin)|GCTracer|IsolateSafepoint|GlobalSafepoint|SafepointScope|GCCallbacks|PretenuringHandler|HeapObjectsMap|EmbedderStackStateScope|GlobalHandles::(IterateWeakRoots|IterateYoung|IterateAllRoots|IterateStrongRoots|ProcessWeak|PostGarbageCollectionProcessing|InvokeFirstPassWeakCallbacks|InvokeSecondPassPhantomCallbacks|ComputeWeaknessForYoungObjects|ProcessWeakYoungObjects|UpdateListOfYoungNodes|PostScavengeProcessing|PostMarkSweepProcessing|InvokeOrScheduleSecondPassPhantomCallbacks|IterateWeakRootsForPhantomHandles|IterateYoungStrongAndDependentRoots|IterateYoungWeakObjectsForPhantomHandles|IterateAllYoungRoots)|MemoryAllocator|Unmapper|SemiSpace\w*::|SemiSpace::|NewSpace::(Grow|Shrink|Flip|Swap|ResetLinearAllocationArea|GarbageCollection)|OldLargeObjectSpace::|NewLargeObjectSpace::|LargeObjectSpace::|PagedSpace::(RefillFreeList|MergeCompactionSpace|PrepareForMarkCompact|ReleasePage|ShrinkPageToHighWaterMark|RefineAllocatedBytesAfterSweeping)|CompactionSpace|FreeList|FreeListCategory|FreeListMany|FreeListManyCached|FreeListManyCachedFastPath|SlotSet|TypedSlotSet|TypedSlots|RememberedSet|BasicMemoryChunk|MemoryChunk::(ReleaseAllocatedMemory|ReleaseSlotSet|ReleaseTypedSlotSet|ReleaseInvalidatedSlots|DiscardUnusedMemory)|Page::(ReleaseFreeListCategories|AllocateFreeListCategories|InitializeFreeListCategories|ShrinkToHighWaterMark|CreateBlackArea|DestroyBlackArea)|ExternalStringTable|StringForwardingTable|WeakListVisitor|VisitWeakList|ObjectVisitorWithCageBases|HeapVisitor|ConcurrentHeapVisitor|BodyDescriptorBase|ScavengeWeakObjectRetainer|StrongRootsEntry|ReadOnlyHeap::Iterate|heap::base::Worklist|PageMarkingItem|ItemParallelJob|GCIdleTimeHandler|HeapController|MemoryController|ClearStringTableJobItem|StringTable::(DropOldData|NotifyElementsRemoved|IterateElements))\b/, 'gcShared'],
  [/^heap::base::/, 'gcShared'],
  // V8's generic helpers (also run by the GC and the compilers): by caller.
  [/^v8::base::|^std::|^__gnu_cxx::|^operator (new|delete)|^v8::internal::(HeapObject::(SizeFromMap|Size)|Map::(InstanceSizeFromMap|instance_size)|Object::ShortPrint|Zone::New|ZoneList|PtrComprCageBase|Isolate::(thread_local_top|heap))\b/, 'context'],
  [/^v8::internal::(Heap|PagedSpace|NewSpace|LocalHeap|MainAllocator|ConcurrentAllocator|MemoryChunk|Page|LargePage|Space|BaseSpace|HeapAllocator|LinearAllocationArea|SpaceWithLinearArea|LocalAllocationBuffer|AllocationObserver|AllocationCounter|EvacuationAllocator|MarkCompactCollector::|RootVisitor|ObjectVisitor|GlobalHandles|TracedHandles|EternalHandles|HandleScope|HandleScopeImplementer)\b/, 'context'],
];

/** Objects whose functions are contextual whatever their name: the C and C++ runtime, the dynamic loader. */
const CONTEXT_OBJECTS = /\/(libc|libm|libpthread|libdl|librt|ld-linux[^/]*|libstdc\+\+|libgcc_s)[.-][^/]*$|vgpreload/;

/** A demangled name without the return type templates carry (`void v8::internal::X<…>(…)` → `v8::internal::X<…>(…)`). */
function withoutReturnType(name: string): string {
  if (/^(v8|cppgc|heap|node|std|uv|Builtins_)/.test(name)) return name;
  const m = / (v8::|cppgc::|heap::|node::)/.exec(name);
  return m ? name.slice(m.index + 1) : name;
}

/**
 * The category of a function from its name and object (`context`: decided by its callers).
 * V8's internals that no rule names (objects, maps, handles, hash tables, IdentityMap, …) are
 * contextual too: the compilers and the GC call them as much as the runtime does. Builtins,
 * V8's runtime functions, its API, Node, libuv, OpenSSL and JIT code are mutator.
 */
export function classify(rawName: string, object: string): Category | 'context' {
  const name = withoutReturnType(withoutRecursion(rawName));
  for (const [pattern, category] of NAME_RULES) if (pattern.test(name)) return category;
  if (CONTEXT_OBJECTS.test(object)) return 'context';
  // Mangled names callgrind left as they are (`.isra`/`.constprop` clones): by namespace.
  if (/^_ZN2v88internal8compiler/.test(name)) return 'compiler';
  if (/^v8::internal::/.test(name) && !/^v8::internal::(__RT_impl_)?Runtime_/.test(name)) return 'context';
  if (/^_ZN2v88internal/.test(name) && !/^_ZN2v88internal\d+Runtime_/.test(name)) return 'context';
  if (/^cppgc::/.test(name)) return 'context';
  return 'mutator';
}

/** Callgrind's recursion-level suffix (`foo'2`: foo called from foo). */
export const withoutRecursion = (name: string) => name.replace(/'\d+$/, '');

// ---- splitting ----------------------------------------------------------------------------------

export type Shares = Record<Category, number>;
const zeroShares = (): Shares => ({ mutator: 0, gcMinor: 0, gcMajor: 0, gcShared: 0, compiler: 0 });

export interface SplitFn extends FnSelf {
  /** How the function's self cost was counted (the rule's category, or `context` and its shares). */
  rule: Category | 'context';
  shares: Shares;
}

export interface Split {
  totals: number;
  /** Ir of each category (sums to the self costs, i.e. to `totals` up to rounding). */
  byCategory: Shares;
  fns: SplitFn[];
  /** Calls to the functions of `GC_EVENTS`: how many collections of each kind the window holds. */
  gcEvents: Record<string, number>;
}

/** Functions whose call counts tell how many collections of each kind a window holds. */
export const GC_EVENTS: Record<string, RegExp> = {
  scavenges: /^v8::internal::ScavengerCollector::CollectGarbage\(\)$/,
  markCompacts: /^v8::internal::MarkCompactCollector::CollectGarbage\(\)$/,
};

/** Splits a dump's self costs into categories (contextual functions by their callers, iterated). */
export function splitDump(dump: Dump): Split {
  const rules = new Map<string, Category | 'context'>();
  for (const [key, f] of dump.fns) rules.set(key, classify(f.name, f.object));
  const shares = new Map<string, Shares>();
  for (const [key, rule] of rules) {
    const s = zeroShares();
    s[rule === 'context' ? 'mutator' : rule] = 1;
    shares.set(key, s);
  }
  // Inbound edges of contextual functions.
  const inbound = new Map<string, CallEdge[]>();
  for (const e of dump.edges.values()) {
    if (rules.get(e.callee) !== 'context' || e.caller === e.callee || e.inclusive <= 0) continue;
    let list = inbound.get(e.callee);
    if (!list) inbound.set(e.callee, (list = []));
    list.push(e);
  }
  for (let round = 0; round < 12; round++) {
    for (const [callee, edges] of inbound) {
      const s = zeroShares();
      let weight = 0;
      for (const e of edges) {
        const from = shares.get(e.caller);
        if (!from) continue;
        for (const c of CATEGORIES) s[c] += from[c] * e.inclusive;
        weight += e.inclusive;
      }
      if (weight > 0) {
        for (const c of CATEGORIES) s[c] /= weight;
        shares.set(callee, s);
      }
    }
  }
  const byCategory = zeroShares();
  const fns: SplitFn[] = [];
  for (const [key, f] of dump.fns) {
    const s = shares.get(key)!;
    for (const c of CATEGORIES) byCategory[c] += f.self * s[c];
    fns.push({ ...f, rule: rules.get(key)!, shares: s });
  }
  const gcEvents: Record<string, number> = {};
  for (const name of Object.keys(GC_EVENTS)) gcEvents[name] = 0;
  for (const e of dump.edges.values()) {
    const calleeName = e.callee.slice(e.callee.indexOf('\t') + 1);
    for (const [name, pattern] of Object.entries(GC_EVENTS)) if (pattern.test(calleeName)) gcEvents[name] += e.calls;
  }
  return { totals: dump.totals, byCategory, fns, gcEvents };
}

// ---- JIT code names ---------------------------------------------------------------------------

/** Callgrind's name of a basic block without a symbol: its address, possibly with a section tag. */
const ADDRESS_NAME = /^0x([0-9a-f]+)(?: \[\w+\])?$/;

/** The address a callgrind function name stands for, when it is an address (JIT code, stripped code). */
export function addressOf(name: string): number | undefined {
  const m = ADDRESS_NAME.exec(withoutRecursion(name));
  return m ? parseInt(m[1], 16) : undefined;
}

/**
 * V8's `--perf-basic-prof` map (`/tmp/perf-<pid>.map`): `start size name` per code object, in
 * creation order. An address is named by the latest entry that covers it (code space is reused
 * after a code object dies; `--perf-basic-prof` turns off code-space compaction, so live code
 * does not move).
 */
export class PerfMap {
  private starts: Float64Array;
  private ends: Float64Array;
  private order: Uint32Array;
  private names: string[];
  private maxSize: number;

  constructor(text: string) {
    const entries: { start: number; end: number; index: number; name: string }[] = [];
    let index = 0;
    for (const line of text.split('\n')) {
      const first = line.indexOf(' ');
      const second = line.indexOf(' ', first + 1);
      if (first < 0 || second < 0) continue;
      const start = parseInt(line.slice(0, first), 16);
      const size = parseInt(line.slice(first + 1, second), 16);
      if (!Number.isFinite(start) || !Number.isFinite(size)) continue;
      entries.push({ start, end: start + size, index: index++, name: line.slice(second + 1) });
    }
    entries.sort((a, b) => a.start - b.start || a.index - b.index);
    this.starts = Float64Array.from(entries, (e) => e.start);
    this.ends = Float64Array.from(entries, (e) => e.end);
    this.order = Uint32Array.from(entries, (e) => e.index);
    this.names = entries.map((e) => e.name);
    this.maxSize = entries.reduce((m, e) => Math.max(m, e.end - e.start), 0);
  }

  get size(): number {
    return this.names.length;
  }

  /** The name of the latest code object covering `address`, else undefined. */
  lookup(address: number): string | undefined {
    // Last entry with start <= address.
    let lo = 0;
    let hi = this.starts.length - 1;
    let last = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (this.starts[mid] <= address) {
        last = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    let best = -1;
    for (let i = last; i >= 0 && this.starts[i] > address - this.maxSize - 1; i--) {
      if (this.ends[i] > address && (best < 0 || this.order[i] > this.order[best])) best = i;
    }
    return best < 0 ? undefined : this.names[best];
  }
}

/** V8's tier marks in perf map names: `*` TurboFan, `+` Maglev, `^` Sparkplug, `~` interpreted. */
const TIER = /^(\w+:)?([*+^~])/;

/** A JIT code name without its tier mark (`JS:*foo file:1:2` → `JS:foo file:1:2`), so tiers of one function add up. */
export function withoutTier(name: string): string {
  return name.replace(TIER, (_, kind: string | undefined) => kind ?? '');
}

/**
 * The name a function is reported under: a symbol as it is; JIT code by its perf map entry
 * (without the tier mark) or `JIT code (not in the perf map)`; an address inside an ELF object
 * as `object+?`.
 */
export function displayName(f: FnSelf, perfMap: PerfMap | undefined): string {
  const address = addressOf(f.name);
  if (address === undefined) return withoutRecursion(f.name);
  if (f.object !== '???') return `${f.object.slice(f.object.lastIndexOf('/') + 1)} (no symbol)`;
  const name = perfMap?.lookup(address);
  return name ? `JIT ${withoutTier(name)}` : 'JIT code (not in the perf map)';
}

/** Self Ir by display name (summed over the basic blocks of a JIT function), per category. */
export function costByName(split: Split, perfMap: PerfMap | undefined): Map<string, { ir: number; shares: Shares; category: Category | 'context' }> {
  const out = new Map<string, { ir: number; shares: Shares; category: Category | 'context' }>();
  for (const f of split.fns) {
    if (f.self === 0) continue;
    const name = displayName(f, perfMap);
    let entry = out.get(name);
    if (!entry) out.set(name, (entry = { ir: 0, shares: zeroShares(), category: f.rule }));
    entry.ir += f.self;
    for (const c of CATEGORIES) entry.shares[c] += f.self * f.shares[c];
  }
  return out;
}

/** The `top` functions of each category by the Ir they put into it (a contextual function counts in each category with its share). */
export function topByCategory(split: Split, perfMap: PerfMap | undefined, top: number): Record<Category, { name: string; ir: number; rule: string }[]> {
  const byName = costByName(split, perfMap);
  const out = {} as Record<Category, { name: string; ir: number; rule: string }[]>;
  for (const c of CATEGORIES) {
    out[c] = [...byName.entries()]
      .map(([name, e]) => ({ name, ir: e.shares[c], rule: e.category }))
      .filter((e) => e.ir > 0)
      .sort((a, b) => b.ir - a.ir)
      .slice(0, top);
  }
  return out;
}

// ---- command line ---------------------------------------------------------------------------------

function main(): void {
  const args = process.argv.slice(2);
  const files: string[] = [];
  let perfMapFile: string | undefined;
  let top = 25;
  let callers: RegExp | undefined;
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '--perf-map') perfMapFile = args[++i];
    else if (args[i] === '--callers') callers = new RegExp(args[++i]);
    else if (args[i] === '--top') top = Number(args[++i]);
    else files.push(args[i]);
  }
  if (files.length === 0) {
    process.stderr.write('usage: node callgrind-split.js DUMP... [--perf-map /tmp/perf-PID.map] [--top N]\n');
    process.exit(2);
  }
  const perfMap = perfMapFile ? new PerfMap(fs.readFileSync(perfMapFile, 'utf8')) : undefined;
  for (const file of files) {
    const dump = parseDump(fs.readFileSync(file, 'utf8'));
    if (callers) {
      // Who calls the functions matching --callers (inclusive Ir of the calls), to check a rule.
      const rows = [...dump.edges.values()].filter((e) => callers!.test(e.callee.slice(e.callee.indexOf('\t') + 1)));
      rows.sort((a, b) => b.inclusive - a.inclusive);
      process.stdout.write(`\n${file}: callers of ${callers}\n`);
      for (const e of rows.slice(0, top)) {
        const caller = dump.fns.get(e.caller)!;
        process.stdout.write(`  ${e.inclusive.toLocaleString('en-US').padStart(13)} ${String(e.calls).padStart(8)} calls  ${displayName(caller, perfMap)} -> ${e.callee.slice(e.callee.indexOf('\t') + 1).slice(0, 80)}\n`);
      }
      continue;
    }
    const split = splitDump(dump);
    const pct = (n: number) => `${((n / split.totals) * 100).toFixed(1)}%`;
    process.stdout.write(`\n${file}: ${split.totals.toLocaleString('en-US')} Ir; GC events ${JSON.stringify(split.gcEvents)}\n`);
    for (const c of CATEGORIES) process.stdout.write(`  ${CATEGORY_LABELS[c].padEnd(24)} ${Math.round(split.byCategory[c]).toLocaleString('en-US').padStart(14)} ${pct(split.byCategory[c])}\n`);
    const tops = topByCategory(split, perfMap, top);
    for (const c of CATEGORIES) {
      process.stdout.write(`  top ${CATEGORY_LABELS[c]}:\n`);
      for (const e of tops[c]) process.stdout.write(`    ${Math.round(e.ir).toLocaleString('en-US').padStart(13)} ${pct(e.ir).padStart(6)} [${e.rule}] ${e.name}\n`);
    }
  }
}

if (require.main === module) main();
