import { createRequire } from 'node:module';

type TypeScript = typeof import('typescript');
const ts = createRequire(createRequire(import.meta.url).resolve('tslab/dist/converter'))(
  '@tslab/typescript-for-tslab',
) as TypeScript;

/** tslab's name for a cell's last expression: an export, but not a name the user declared. */
const LAST_EXPRESSION = 'tsLastExpr';

/** TypeScript's CommonJS preamble, `exports.a = exports.b = void 0;` (one line per 50 names), at the top level. */
const PREAMBLE = /^exports\.[\w$]+ = (?:exports\.[\w$]+ = )*void 0;$/;

/** A compiled cell split into the names it exports and code that assigns each name only when its declaration runs. */
export interface ExportedCell {
  /** The top-level value names the cell declares (tslab exports every one), its last expression left out. */
  names: string[];
  /** The cell's code without the preamble that sets every exported name to undefined before the first statement. */
  output: string;
}

/**
 * Splits the preamble off a compiled cell. The preamble would overwrite the earlier value of every name the cell
 * redeclares before the cell runs, so a cell that stops early would leave `undefined` behind where an earlier cell's
 * value was; without it, a name takes its new value exactly when its declaration runs, and the kernel can tell which
 * declarations ran by the names assigned.
 */
export function splitExports(output: string): ExportedCell {
  const names: string[] = [];
  const kept = output.split('\n').filter((line) => {
    if (!PREAMBLE.test(line)) return true;
    for (const match of line.matchAll(/exports\.([\w$]+) =/g)) if (match[1] !== LAST_EXPRESSION) names.push(match[1]!);
    return false;
  });
  return { names, output: kept.join('\n') };
}

/** The names a top-level declaration of a `.d.ts` file declares as values (binding patterns included). */
function declaredValueNames(statement: import('typescript').Statement): string[] {
  if (ts.isVariableStatement(statement))
    return statement.declarationList.declarations.flatMap((d) => bindingNames(d.name));
  if (
    (ts.isFunctionDeclaration(statement) || ts.isClassDeclaration(statement) || ts.isEnumDeclaration(statement)) &&
    statement.name
  ) {
    return [statement.name.text];
  }
  return [];
}

function bindingNames(name: import('typescript').BindingName): string[] {
  if (ts.isIdentifier(name)) return [name.text];
  return name.elements.flatMap((element) => (ts.isOmittedExpression(element) ? [] : bindingNames(element.name)));
}

/**
 * Statements of the declaration file `text`: with `keep`, those declaring values named in `names` only; without, the
 * others (types included). A variable statement that declares both kinds is cut down to the declarators wanted.
 */
function selectDeclarations(text: string, names: Set<string>, keep: boolean): string[] {
  const file = ts.createSourceFile('decl.d.ts', text, ts.ScriptTarget.ES2022, true);
  const printer = ts.createPrinter({ newLine: ts.NewLineKind.LineFeed });
  const qualifies = (name: string) => names.has(name) === keep;
  const selected: string[] = [];
  for (const statement of file.statements) {
    const declared = declaredValueNames(statement);
    // Types (interfaces, aliases, imports) have no initialiser to run: they stay with the cell that declared them.
    if (declared.length === 0) {
      if (!keep) selected.push(statement.getText(file));
      continue;
    }
    if (declared.every(qualifies)) {
      selected.push(statement.getText(file));
      continue;
    }
    if (!ts.isVariableStatement(statement)) continue;
    const declarations = statement.declarationList.declarations.filter((d) => bindingNames(d.name).every(qualifies));
    if (declarations.length === 0) continue;
    const list = ts.factory.updateVariableDeclarationList(statement.declarationList, declarations);
    selected.push(
      printer.printNode(
        ts.EmitHint.Unspecified,
        ts.factory.updateVariableStatement(statement, statement.modifiers, list),
        file,
      ),
    );
  }
  return selected;
}

/**
 * The declarations the next cells see after a cell that stopped part-way (it threw, or was interrupted): the cell's
 * new declarations (`next`, tslab's declarations after the whole cell) except those of `unreached` names, whose
 * earlier declarations (from `previous`), if any, stay. A name either has the type of the declaration that gave it
 * its value, or no type at all: never a type for a value it does not hold.
 */
export function partialDeclarations(previous: string, next: string, unreached: Iterable<string>): string {
  const names = new Set(unreached);
  if (names.size === 0) return next;
  return [...selectDeclarations(next, names, false), ...selectDeclarations(previous, names, true)]
    .map((s) => s + '\n')
    .join('');
}
