// @ts-check
/**
 * The import directions of the layout (README, "Layout"): each layer imports only layers below it.
 * A file's layer comes from its path under the project root; files outside these folders (test/,
 * bench/) are not constrained. Type-only imports count too: a type in the wrong place is a dependency.
 */
import path from 'node:path';

/** Lowest first. Folders on one row may not import each other either. */
export const LAYERS = [
  ['src/contract', 'src/version.ts'],
  ['stack', 'src/history', 'src/toxiproxy', 'src/topology'],
  ['src/faults', 'src/load', 'src/checks'],
  ['src/scenario', 'drivers'],
  ['src/run'],
  ['src/report'],
  ['src/drill'],
  ['src/cli'],
];

/** @param {string} relative a path relative to the root, with forward slashes */
function layerOf(relative) {
  for (let rank = 0; rank < LAYERS.length; rank++)
    for (const folder of LAYERS[rank])
      if (relative === folder || relative.startsWith(`${folder}/`)) return { rank, folder };
  return undefined;
}

/** @type {import('eslint').Rule.RuleModule} */
export const importDirections = {
  meta: {
    type: 'problem',
    docs: { description: 'keep the layers of the layout: import only from layers below' },
    schema: [{ type: 'object', properties: { root: { type: 'string' } }, additionalProperties: false }],
    messages: {
      upward:
        '{{from}} may not import {{to}}: {{to}} is a higher layer (import directions: README "Layout").',
      sideways: '{{from}} may not import {{to}}: both sit on one layer (import directions: README "Layout").',
    },
  },
  create(context) {
    const root = path.resolve(context.options[0]?.root ?? context.cwd);
    const from = layerOf(path.relative(root, context.filename).split(path.sep).join('/'));
    if (from === undefined) return {};
    /** @param {import('estree').Node & { source?: import('estree').Node | null }} node */
    const check = (node) => {
      const source = node.source;
      if (!source || source.type !== 'Literal' || typeof source.value !== 'string') return;
      if (!source.value.startsWith('.')) return; // packages and node: built-ins
      const target = path.resolve(path.dirname(context.filename), source.value);
      const to = layerOf(path.relative(root, target).split(path.sep).join('/'));
      if (to === undefined || to.folder === from.folder) return;
      if (to.rank > from.rank)
        context.report({ node, messageId: 'upward', data: { from: from.folder, to: to.folder } });
      else if (to.rank === from.rank)
        context.report({ node, messageId: 'sideways', data: { from: from.folder, to: to.folder } });
    };
    return {
      ImportDeclaration: check,
      ImportExpression: check,
      ExportNamedDeclaration: check,
      ExportAllDeclaration: check,
    };
  },
};

export const importDirectionsPlugin = { rules: { 'import-directions': importDirections } };
