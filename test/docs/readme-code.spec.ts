import * as fs from 'node:fs';
import * as path from 'node:path';
import * as ts from 'typescript';

/**
 * Docs that cannot drift: every ```ts block of the README (and of the backend docs) is type-checked against
 * the library's public entry (`nest-session` maps to src/index.ts, what the package's types are
 * built from). A block with its own imports must compile as written. A block without imports is a
 * fragment of the text around it: it gets the package's exports and Nest's decorators in scope,
 * and the app-specific names the examples assume (a `PlansService`, a `SecondFactorClaim`...)
 * from test/docs/readme-context.d.ts.txt.
 */

const ROOT = path.join(__dirname, '..', '..');
/** Documents whose ```ts blocks are backend code (docs/frontend-sdks.md is browser code for the SDKs). */
const DOCS = ['README.md', 'docs/migrating-from-supertokens-node.md'];
/** Kept as .txt so the project's own type-check does not see its globals; checked here as a .d.ts. */
const CONTEXT_SOURCE = path.join(__dirname, 'readme-context.d.ts.txt');
const CONTEXT = path.join(__dirname, '__blocks__', 'readme-context.d.ts');
const NEST_NAMES = ['Body', 'Controller', 'Delete', 'Get', 'Inject', 'Injectable', 'Module', 'Param', 'Post', 'Put', 'Req', 'Res', 'UseGuards'];

interface Block {
  doc: string;
  line: number;
  file: string;
  source: string;
  preludeLines: number;
}

function blocksOf(doc: string, exportNames: string[]): Block[] {
  const lines = fs.readFileSync(path.join(ROOT, doc), 'utf8').split('\n');
  const blocks: Block[] = [];
  for (let i = 0; i < lines.length; i++) {
    if (!/^```ts\s*$/.test(lines[i])) continue;
    const start = i + 1;
    let end = start;
    while (end < lines.length && !lines[end].startsWith('```')) end++;
    const code = lines.slice(start, end).join('\n');
    const fragment = !/^import\s/m.test(code);
    const prelude = fragment
      ? [
          `import { ${NEST_NAMES.join(', ')} } from '@nestjs/common';`,
          `import { ${exportNames.join(', ')} } from 'nest-session';`,
          `import type { Request, Response } from 'express';`,
        ]
      : [];
    const name = `${doc.replace(/[^\w]/g, '_')}_L${start + 1}.ts`;
    blocks.push({ doc, line: start + 1, file: path.join(__dirname, '__blocks__', name), source: [...prelude, code, 'export {};'].join('\n'), preludeLines: prelude.length });
    i = end;
  }
  return blocks;
}

/** Value and type names src/index.ts exports (a fragment may use any of them). */
function publicNames(program: ts.Program): string[] {
  const checker = program.getTypeChecker();
  const index = program.getSourceFile(path.join(ROOT, 'src', 'index.ts'))!;
  return checker.getExportsOfModule(checker.getSymbolAtLocation(index)!).map((s) => s.getName());
}

describe('the code in the README and docs/', () => {
  const options: ts.CompilerOptions = {
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.ES2022,
    moduleResolution: ts.ModuleResolutionKind.Bundler,
    experimentalDecorators: true,
    emitDecoratorMetadata: true,
    esModuleInterop: true,
    strict: true,
    skipLibCheck: true,
    noEmit: true,
    types: ['node', 'jest'],
    baseUrl: ROOT,
    paths: { 'nest-session': ['src/index.ts'], 'nest-session/testing': ['src/testing/index.ts'] },
  };

  const names = publicNames(ts.createProgram([path.join(ROOT, 'src', 'index.ts')], options));
  const blocks = DOCS.flatMap((doc) => blocksOf(doc, names));
  const host = ts.createCompilerHost(options);
  const virtual = new Map([[CONTEXT, fs.readFileSync(CONTEXT_SOURCE, 'utf8')], ...blocks.map((b) => [b.file, b.source] as [string, string])]);
  const readFile = host.readFile.bind(host);
  const fileExists = host.fileExists.bind(host);
  host.readFile = (f) => virtual.get(f) ?? readFile(f);
  host.fileExists = (f) => virtual.has(f) || fileExists(f);
  const program = ts.createProgram([CONTEXT, ...blocks.map((b) => b.file)], options, host);

  it('has blocks to check', () => {
    expect(blocks.length).toBeGreaterThan(10);
  });

  it.each(blocks.map((b) => [`${b.doc}:${b.line}`, b] as const))('%s type-checks', (_where, block) => {
    const diagnostics = [...program.getSyntacticDiagnostics(program.getSourceFile(block.file)), ...program.getSemanticDiagnostics(program.getSourceFile(block.file))];
    const messages = diagnostics.map((d) => {
      const { line } = d.file!.getLineAndCharacterOfPosition(d.start ?? 0);
      return `${block.doc}:${block.line + line - block.preludeLines}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`;
    });
    expect(messages).toEqual([]);
  });
});
