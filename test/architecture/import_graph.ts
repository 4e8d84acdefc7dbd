/**
 * The import graph between xmlc's folders, read from the TypeScript sources (not from dist/), for
 * the layering test (test/architecture/layers.test.ts) and eval/layers.ts, which writes it to
 * eval/results/layers.md. Every relative module reference counts: `import`/`export … from`
 * (including `import type`), dynamic `import()` and `import('…').T` type references.
 */
import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import ts from 'typescript';

/** The source roots the graph covers (relative to the repository root). */
export const SOURCE_ROOTS = ['src', 'cli', 'datasets', 'eval'] as const;

/** One relative module reference in a source file. */
export interface ImportEdge {
  /** Importing file, relative to the repository root, with forward slashes. */
  from: string;
  /** Imported file (the `.ts` source the specifier resolves to), relative to the root. */
  to: string;
  /** True when the reference can only bring in types (`import type`, `export type`, `import('…').T` in a type). */
  typeOnly: boolean;
}

function tsFiles(root: string, dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(path.join(root, dir), { withFileTypes: true })) {
    const rel = `${dir}/${e.name}`;
    if (e.isDirectory()) out.push(...tsFiles(root, rel));
    else if (e.name.endsWith('.ts') && !e.name.endsWith('.d.ts')) out.push(rel);
  }
  return out.sort();
}

/** Whether every name an import declaration brings in is type-only. */
function importIsTypeOnly(node: ts.ImportDeclaration): boolean {
  const clause = node.importClause;
  if (clause === undefined) return false; // a side-effect import runs the module
  if (clause.isTypeOnly) return true;
  if (clause.name !== undefined) return false;
  const bindings = clause.namedBindings;
  if (bindings === undefined || ts.isNamespaceImport(bindings)) return false;
  return bindings.elements.length > 0 && bindings.elements.every((e) => e.isTypeOnly);
}

/** The relative module specifiers of one source text, with whether each is type-only. */
export function moduleReferences(fileName: string, text: string): { specifier: string; typeOnly: boolean }[] {
  const sf = ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest, false, ts.ScriptKind.TS);
  const refs: { specifier: string; typeOnly: boolean }[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node) && ts.isStringLiteral(node.moduleSpecifier)) {
      refs.push({ specifier: node.moduleSpecifier.text, typeOnly: importIsTypeOnly(node) });
    } else if (ts.isExportDeclaration(node) && node.moduleSpecifier !== undefined && ts.isStringLiteral(node.moduleSpecifier)) {
      const clause = node.exportClause;
      const typeOnly = node.isTypeOnly || (clause !== undefined && ts.isNamedExports(clause) && clause.elements.length > 0 && clause.elements.every((e) => e.isTypeOnly));
      refs.push({ specifier: node.moduleSpecifier.text, typeOnly });
    } else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) {
      const arg = node.arguments[0];
      if (arg !== undefined && ts.isStringLiteralLike(arg)) refs.push({ specifier: arg.text, typeOnly: false });
    } else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument) && ts.isStringLiteral(node.argument.literal)) {
      refs.push({ specifier: node.argument.literal.text, typeOnly: true });
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return refs.filter((r) => r.specifier.startsWith('.'));
}

/** Every relative import edge between the .ts files under SOURCE_ROOTS of the repository at `root`. */
export function importEdges(root: string): ImportEdge[] {
  const edges: ImportEdge[] = [];
  for (const from of SOURCE_ROOTS.flatMap((r) => tsFiles(root, r))) {
    for (const ref of moduleReferences(from, readFileSync(path.join(root, from), 'utf8'))) {
      // NodeNext ESM specifiers name the emitted .js file; the source is the .ts next to it.
      const target = path.posix.normalize(path.posix.join(path.posix.dirname(from), ref.specifier)).replace(/\.js$/, '.ts');
      edges.push({ from, to: target, typeOnly: ref.typeOnly });
    }
  }
  return edges;
}

/**
 * The folder a file belongs to for layering: `src/<dir>` for files in a folder of src/, the file
 * itself (without .ts) for the top-level files of src/ (`src/errors`, `src/index`, …), and the
 * root (`cli`, `datasets`, `eval`) elsewhere.
 */
export function folderOf(file: string): string {
  const parts = file.split('/');
  if (parts[0] === 'src') return parts.length > 2 ? `src/${parts[1]}` : file.replace(/\.ts$/, '');
  return parts[0]!;
}

/** Folder-level edges: for each (from, to) folder pair, the file edges behind it. */
export function folderGraph(edges: readonly ImportEdge[]): Map<string, Map<string, ImportEdge[]>> {
  const g = new Map<string, Map<string, ImportEdge[]>>();
  for (const e of edges) {
    const a = folderOf(e.from);
    const b = folderOf(e.to);
    if (a === b) continue;
    let out = g.get(a);
    if (out === undefined) g.set(a, (out = new Map()));
    let list = out.get(b);
    if (list === undefined) out.set(b, (list = []));
    list.push(e);
  }
  return g;
}

/** The strongly connected components with more than one folder (Tarjan's algorithm): the folder cycles. */
export function folderCycles(graph: Map<string, Map<string, unknown>>): string[][] {
  let counter = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const cycles: string[][] = [];
  const strong = (v: string): void => {
    index.set(v, counter);
    low.set(v, counter++);
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v)?.keys() ?? []) {
      if (!index.has(w)) {
        strong(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) === index.get(v)) {
      const comp: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        comp.push(w);
      } while (w !== v);
      if (comp.length > 1) cycles.push(comp.sort());
    }
  };
  for (const v of [...graph.keys()].sort()) if (!index.has(v)) strong(v);
  return cycles;
}

/** A known violation kept for now: every file edge from `from` to `to` (folders) is tolerated. */
export interface AllowedEdge {
  readonly from: string;
  readonly to: string;
  /** Why it is still there and what removes it. */
  readonly why: string;
}

/**
 * The layering problems of `edges` under `layers` (bottom first; a folder may import folders of
 * its own layer or below): folders missing from `layers`, upward imports, folder cycles, and
 * entries of `allowed` that no edge needs any more. Allowed edges count neither as upward nor
 * towards cycles. Empty when the graph is clean.
 */
export function layerViolations(edges: readonly ImportEdge[], layers: readonly (readonly string[])[], allowed: readonly AllowedEdge[] = []): string[] {
  const level = new Map<string, number>();
  layers.forEach((folders, i) => { for (const f of folders) level.set(f, i); });
  const isAllowed = (a: string, b: string): boolean => allowed.some((x) => x.from === a && x.to === b);
  const problems: string[] = [];
  const graph = folderGraph(edges);
  const unknown = new Set<string>();
  for (const e of edges) for (const f of [folderOf(e.from), folderOf(e.to)]) if (!level.has(f)) unknown.add(f);
  for (const f of [...unknown].sort()) problems.push(`${f}: a folder the layer table does not list (add it to LAYERS in test/architecture/layers.ts)`);
  const kept = new Map<string, Map<string, ImportEdge[]>>();
  for (const [a, out] of graph) {
    for (const [b, list] of out) {
      if (isAllowed(a, b)) continue;
      let k = kept.get(a);
      if (k === undefined) kept.set(a, (k = new Map()));
      k.set(b, list);
      const la = level.get(a), lb = level.get(b);
      if (la !== undefined && lb !== undefined && lb > la) {
        problems.push(`upward import ${a} (layer ${la}) -> ${b} (layer ${lb}): ${list.map((e) => `${e.from} imports ${e.to}${e.typeOnly ? ' (type only)' : ''}`).join('; ')}`);
      }
    }
  }
  for (const cycle of folderCycles(kept)) {
    const inside = edges.filter((e) => cycle.includes(folderOf(e.from)) && cycle.includes(folderOf(e.to)) && folderOf(e.from) !== folderOf(e.to) && !isAllowed(folderOf(e.from), folderOf(e.to)));
    problems.push(`folder cycle ${cycle.join(' <-> ')}: ${inside.map((e) => `${e.from} imports ${e.to}`).join('; ')}`);
  }
  for (const x of allowed) {
    if (!graph.get(x.from)?.has(x.to)) problems.push(`allow-list entry ${x.from} -> ${x.to} is no longer needed: remove it`);
  }
  return problems;
}

/** The folder graph as Markdown: the layers (bottom first) and, per folder, what it imports (with file-edge counts). */
export function renderLayers(edges: readonly ImportEdge[], layers: readonly (readonly string[])[], allowed: readonly AllowedEdge[] = []): string {
  const graph = folderGraph(edges);
  const present = new Set(edges.flatMap((e) => [folderOf(e.from), folderOf(e.to)]));
  const lines = ['| layer | folder | imports (file edges; † type-only) |', '|---|---|---|'];
  layers.forEach((folders, i) => {
    for (const f of folders) {
      if (!present.has(f)) continue;
      const out = [...(graph.get(f) ?? new Map<string, ImportEdge[]>())].sort(([a], [b]) => a.localeCompare(b));
      const cells = out.map(([b, list]) => `${b} (${list.length}${list.every((e) => e.typeOnly) ? '†' : ''})${allowed.some((x) => x.from === f && x.to === b) ? ' **allow-listed**' : ''}`);
      lines.push(`| ${i} | ${f} | ${cells.join(', ') || '—'} |`);
    }
  });
  return lines.join('\n') + '\n';
}
