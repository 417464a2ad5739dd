#!/usr/bin/env node
// Fails (exit 1) when src/ has an import cycle, at either level:
//   - files: a file that reaches itself through its relative imports (type-only imports count:
//     a cycle of types still ties the files together);
//   - units: the top-level folders of src/ (claims, tokens, ...; each root file is its own unit),
//     so "tokens imports storage imports tokens" fails even when no single file loops.
// Usage: node scripts/check-cycles.js [srcDir]   (prints the unit graph with --graph)
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const ts = require('typescript');

const root = path.resolve(process.argv.find((a, i) => i > 1 && !a.startsWith('--')) ?? path.join(__dirname, '..', 'src'));
const printGraph = process.argv.includes('--graph');

function sourceFiles(dir) {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(full);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts') ? [full] : [];
  });
}

/** Relative module specifiers of every import, export-from and `import('...')` type in a file. */
function specifiers(file) {
  const source = ts.createSourceFile(file, fs.readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
  const found = [];
  const visit = (node) => {
    if ((ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)) {
      found.push(node.moduleSpecifier.text);
    } else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument) && ts.isStringLiteral(node.argument.literal)) {
      found.push(node.argument.literal.text);
    } else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword && ts.isStringLiteral(node.arguments[0])) {
      found.push(node.arguments[0].text);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found.filter((s) => s.startsWith('.'));
}

function resolve(from, specifier) {
  const base = path.resolve(path.dirname(from), specifier);
  for (const candidate of [`${base}.ts`, path.join(base, 'index.ts')]) if (fs.existsSync(candidate)) return candidate;
  throw new Error(`${path.relative(root, from)}: cannot resolve "${specifier}"`);
}

/** Strongly connected components with more than one node, or a node importing itself (Tarjan). */
function cycles(graph) {
  let index = 0;
  const indices = new Map();
  const low = new Map();
  const stack = [];
  const onStack = new Set();
  const found = [];
  const connect = (node) => {
    indices.set(node, index);
    low.set(node, index++);
    stack.push(node);
    onStack.add(node);
    for (const next of graph.get(node) ?? []) {
      if (!indices.has(next)) {
        connect(next);
        low.set(node, Math.min(low.get(node), low.get(next)));
      } else if (onStack.has(next)) {
        low.set(node, Math.min(low.get(node), indices.get(next)));
      }
    }
    if (low.get(node) === indices.get(node)) {
      const component = [];
      let member;
      do {
        member = stack.pop();
        onStack.delete(member);
        component.push(member);
      } while (member !== node);
      if (component.length > 1 || (graph.get(node) ?? new Set()).has(node)) found.push(component.sort());
    }
  };
  for (const node of graph.keys()) if (!indices.has(node)) connect(node);
  return found;
}

/** One path around a component, for the message: a -> b -> ... -> a. */
function loopThrough(graph, component) {
  const members = new Set(component);
  const start = component[0];
  const previous = new Map([[start, null]]);
  const queue = [start];
  while (queue.length > 0) {
    const node = queue.shift();
    for (const next of graph.get(node) ?? []) {
      if (!members.has(next)) continue;
      if (next === start) {
        const loop = [start];
        for (let at = node; at !== start; at = previous.get(at)) loop.splice(1, 0, at);
        return [...loop, start];
      }
      if (!previous.has(next)) {
        previous.set(next, node);
        queue.push(next);
      }
    }
  }
  return component;
}

const unitOf = (file) => {
  const [first, ...rest] = path.relative(root, file).split(path.sep);
  return rest.length === 0 ? first.replace(/\.ts$/, '') : `${first}/`;
};

const fileGraph = new Map();
const unitGraph = new Map();
for (const file of sourceFiles(root)) {
  const edges = new Set(specifiers(file).map((s) => resolve(file, s)));
  fileGraph.set(file, edges);
  const unit = unitOf(file);
  if (!unitGraph.has(unit)) unitGraph.set(unit, new Set());
  for (const target of edges) if (unitOf(target) !== unit) unitGraph.get(unit).add(unitOf(target));
}

if (printGraph) {
  for (const [unit, targets] of [...unitGraph].sort()) console.log(`${unit} -> ${[...targets].sort().join(', ') || '(none)'}`);
}

const rel = (file) => path.relative(root, file);
const fileCycles = cycles(fileGraph);
const unitCycles = cycles(unitGraph);
for (const component of fileCycles) console.log(`file cycle: ${loopThrough(fileGraph, component).map(rel).join(' -> ')} (${component.length} files)`);
for (const component of unitCycles) console.log(`folder cycle: ${loopThrough(unitGraph, component).join(' -> ')} (units: ${component.join(', ')})`);
const total = fileCycles.length + unitCycles.length;
console.log(`${fileGraph.size} files, ${unitGraph.size} units in ${path.relative(process.cwd(), root) || '.'}: ${total === 0 ? 'no import cycle' : `${total} cycle(s)`}`);
process.exit(total === 0 ? 0 : 1);
