/**
 * Maps a path in the parsed scenario back to where it is written in the YAML source, so every issue
 * can say file:line:col. Paths that do not exist in the source (a missing key, a defaulted section)
 * resolve to the nearest ancestor that does.
 */
import {
  isCollection,
  isMap,
  isScalar,
  isSeq,
  visit,
  type Document,
  type LineCounter,
  type Node,
  type YAMLError,
} from 'yaml';

export interface SourceLocation {
  line: number;
  col: number;
  /** Whether the whole path exists in the source (false: the location is an ancestor's). */
  exact: boolean;
  /** The node's source text (scalars only), for quoting the offending value. */
  text?: string;
}

interface Found {
  node: Node | null;
  keyNode: Node | null;
  exact: boolean;
}

function find(doc: Document, path: readonly PropertyKey[]): Found {
  let node = doc.contents;
  let keyNode: Node | null = null;
  for (const segment of path) {
    if (isMap(node)) {
      const pair = node.items.find((p) => isScalar(p.key) && String(p.key.value) === String(segment));
      if (pair === undefined) return { node, keyNode, exact: false };
      keyNode = pair.key as Node;
      node = (pair.value as Node | null) ?? null;
      // `key:` with no value: point at the key.
      if (node === null) return { node: keyNode, keyNode, exact: true };
    } else if (isSeq(node) && typeof segment === 'number' && node.items[segment] !== undefined) {
      node = node.items[segment] as Node;
      keyNode = null;
    } else {
      return { node, keyNode, exact: false };
    }
  }
  return { node, keyNode, exact: true };
}

export function locate(
  doc: Document,
  source: string,
  lineCounter: LineCounter,
  path: readonly PropertyKey[],
  options: { atKey?: boolean } = {},
): SourceLocation {
  const found = find(doc, path);
  // A missing key is reported at its parent's key (`load:`), not at the parent's first child.
  // A block mapping or list starts on the line after its key: point at the key instead.
  const atKey = options.atKey || !found.exact || isMap(found.node) || isSeq(found.node);
  const target = atKey ? (found.keyNode ?? found.node) : found.node;
  const offset = target?.range?.[0] ?? 0;
  const { line, col } = lineCounter.linePos(offset);
  const location: SourceLocation = { line: Math.max(line, 1), col: Math.max(col, 1), exact: found.exact };
  if (found.exact && isScalar(found.node) && found.node.range) {
    location.text = source.slice(found.node.range[0], found.node.range[1]).trim();
  }
  return location;
}

/** Position of a byte offset (YAML syntax errors). */
export function positionOf(lineCounter: LineCounter, offset: number): { line: number; col: number } {
  const { line, col } = lineCounter.linePos(offset);
  return { line: Math.max(line, 1), col: Math.max(col, 1) };
}

/**
 * Where a YAML syntax error is, and what it is. The parser notices an unclosed `[`, `{` or quote only
 * where the next thing starts (often the next line); the break is where the bracket or quote opened,
 * so such errors are placed there. Other errors keep the parser's position and message.
 */
export function syntaxErrorAt(
  doc: Document,
  source: string,
  lineCounter: LineCounter,
  error: YAMLError,
): { line: number; col: number; message?: string } {
  const offset = error.pos[0];
  const open = unclosedOpeningAround(doc, source, offset);
  if (open === undefined) return positionOf(lineCounter, offset);
  const where = positionOf(lineCounter, offset);
  return {
    ...positionOf(lineCounter, open.offset),
    message: `\`${open.opening}\` is never closed with \`${open.closing}\` (the parser noticed at line ${where.line}, column ${where.col})`,
  };
}

const CLOSING: Record<string, string> = { '[': ']', '{': '}', '"': '"', "'": "'" };

/** The innermost flow collection or quoted scalar around `offset` whose closing bracket or quote is missing. */
function unclosedOpeningAround(
  doc: Document,
  source: string,
  offset: number,
): { offset: number; opening: string; closing: string } | undefined {
  let found: { offset: number; opening: string; closing: string } | undefined;
  visit(doc, (_key, node) => {
    const flow = isCollection(node) && node.flow === true;
    const quoted = isScalar(node) && (node.type === 'QUOTE_DOUBLE' || node.type === 'QUOTE_SINGLE');
    if (!flow && !quoted) return;
    const range = (node as Node).range;
    if (!range || range[0] > offset || offset > range[2]) return;
    const opening = source[range[0]]!;
    const closing = CLOSING[opening];
    if (closing === undefined) return;
    const written = source.slice(range[0], range[1]).trimEnd();
    if (written.length > 1 && written.endsWith(closing)) return;
    if (found === undefined || range[0] >= found.offset) found = { offset: range[0], opening, closing };
  });
  return found;
}
