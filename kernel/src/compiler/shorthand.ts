import { createRequire } from 'node:module';

type TypeScript = typeof import('typescript');
const ts = createRequire(createRequire(import.meta.url).resolve('tslab/dist/converter'))(
  '@tslab/typescript-for-tslab',
) as TypeScript;

/**
 * The top-level value names declared by earlier cells, read from tslab's carried declarations: their text, or the
 * declaration file already parsed from it (other statements, such as tslab's `export {};`, declare no value).
 */
export function declaredNames(declarations: string | import('typescript').SourceFile): Set<string> {
  const file =
    typeof declarations === 'string'
      ? ts.createSourceFile('decl.d.ts', declarations, ts.ScriptTarget.ES2022, false)
      : declarations;
  const names = new Set<string>();
  for (const statement of file.statements) {
    if (ts.isVariableStatement(statement)) {
      for (const declaration of statement.declarationList.declarations) {
        if (ts.isIdentifier(declaration.name)) names.add(declaration.name.text);
      }
    } else if (
      (ts.isFunctionDeclaration(statement) || ts.isClassDeclaration(statement) || ts.isEnumDeclaration(statement)) &&
      statement.name
    ) {
      names.add(statement.name.text);
    }
  }
  return names;
}

/**
 * tslab rewrites a use of an earlier cell's name `a` to `exports.a`, except in an object shorthand `{ a }`, which
 * then fails with "a is not defined". This rewrites such shorthands in the compiled cell to `{ a: exports.a }`,
 * unless the cell declares `a` itself.
 */
export function qualifyShorthands(output: string, earlierNames: Set<string>): string {
  if (earlierNames.size === 0 || !mayHoldShorthand(output, earlierNames)) return output;
  const file = ts.createSourceFile('cell.js', output, ts.ScriptTarget.ES2022, true, ts.ScriptKind.JS);
  const declaredHere = new Set<string>();
  const shorthands: { start: number; end: number; name: string }[] = [];
  const visit = (node: import('typescript').Node): void => {
    if (
      (ts.isVariableDeclaration(node) ||
        ts.isParameter(node) ||
        ts.isBindingElement(node) ||
        ts.isFunctionDeclaration(node) ||
        ts.isClassDeclaration(node) ||
        ts.isFunctionExpression(node) ||
        ts.isClassExpression(node)) &&
      node.name &&
      ts.isIdentifier(node.name)
    ) {
      declaredHere.add(node.name.text);
    }
    if (ts.isShorthandPropertyAssignment(node) && earlierNames.has(node.name.text)) {
      shorthands.push({ start: node.name.getStart(file), end: node.name.end, name: node.name.text });
    }
    ts.forEachChild(node, visit);
  };
  visit(file);
  let result = output;
  for (const { start, end, name } of shorthands.reverse()) {
    if (declaredHere.has(name)) continue;
    result = result.slice(0, start) + `${name}: exports.${name}` + result.slice(end);
  }
  return result;
}

/** A name that follows `{` or `,` and comes before `,`, `}` or `=` (a default in a destructuring assignment). */
const SHORTHAND_LIKE = /[{,]\s*([\p{ID_Start}$_][\p{ID_Continue}$\u200c\u200d]*)(?=\s*[,}=])/gu;

/**
 * Whether `output` may hold a shorthand of one of `names`: a scan of the text that spares most cells the parse in
 * qualifyShorthands (it ran on every cell). It may say yes wrongly, never no wrongly: where a comment or a unicode
 * escape could sit between the braces and the name, it says yes.
 */
export function mayHoldShorthand(output: string, names: Set<string>): boolean {
  if (!output.includes('{')) return false;
  if (output.includes('/*') || output.includes('//') || output.includes('\\u')) return true;
  for (const match of output.matchAll(SHORTHAND_LIKE)) if (names.has(match[1]!)) return true;
  return false;
}
