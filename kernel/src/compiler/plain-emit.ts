import type * as TS from 'typescript';
import type { EmittedCell } from './early-answer.js';

type TypeScript = typeof import('typescript');

/** What `createPlainEmit` gives: the cell's JavaScript printed from its own parse, or undefined where it declines. */
export type PlainEmit = (src: string, declarations: TS.SourceFile) => EmittedCell | undefined;

/** The name tslab gives the variable of a cell's last expression (the first one the cell does not declare). */
const LAST_EXPRESSION = 'tsLastExpr';
/** Names the CommonJS wrapper, the engine or tslab give a meaning in a cell's code: left to the compiler's emit. */
const RESERVED = new Set(['exports', 'require', 'module', '__esModule', '__lepton_break__', 'arguments', 'eval']);
/** TypeScript chunks its `exports.a = … = void 0` line by 50 names; cells with that many are left to its emit. */
const MOST_NAMES = 40;

/**
 * Prints a plain cell's CommonJS code without the compiler's emit: the same text tslab's emit gives it, so that the
 * worker can answer the cell as soon as its check is clean (see EarlyAnswer.checked) instead of after the emit,
 * which takes 1.5–3 ms of a trivial cell's ~5 ms conversion (the declaration transform still runs, after).
 *
 * tslab emits a cell as an ES module with `export {its names}` appended, rewrites each use of an earlier cell's name
 * `a` to `exports.a`, replaces a last expression statement by `export const tsLastExpr = …`, and TypeScript's
 * CommonJS transform then adds the `__esModule` marker, one `exports.… = void 0;` line and `exports.a = a;` after
 * each declaration. This prints exactly that, for cells made only of variable statements (identifier names, no
 * annotation) and expression statements built from literals, names, operators, calls, property and element
 * access, conditionals, templates and arrays. Anything else (functions, classes, types, loops, objects, imports,
 * `await`, comments, assignments, a name that shadows or is not a plain value of an earlier cell) returns undefined:
 * the emit answers such cells, as before. `declarations` is tslab's declaration file of the earlier cells; the
 * caller answers only a cell its check found clean.
 */
export function createPlainEmit(ts: TypeScript): PlainEmit {
  // tslab rewrites names with a null transformation context; rewriting with the same keeps the same node shapes.
  const context = (ts as unknown as { nullTransformationContext: TS.TransformationContext }).nullTransformationContext;
  const printer = ts.createPrinter({ newLine: ts.NewLineKind.LineFeed });
  /**
   * Any binary operator but assignments (TypeScript's CommonJS transform rewrites an assignment to an exported name a
   * second way) and the comma (which would need parentheses as the last expression's value).
   */
  const plainOperator = (kind: TS.SyntaxKind) =>
    kind !== ts.SyntaxKind.CommaToken && (kind < ts.SyntaxKind.FirstAssignment || kind > ts.SyntaxKind.LastAssignment);
  const prefixOperators = new Set<TS.SyntaxKind>([
    ts.SyntaxKind.PlusToken,
    ts.SyntaxKind.MinusToken,
    ts.SyntaxKind.ExclamationToken,
    ts.SyntaxKind.TildeToken,
  ]);
  /** Node kinds a plain expression may hold, besides those checked one by one in `plainNode`. */
  const leaves = new Set<TS.SyntaxKind>([
    ts.SyntaxKind.NumericLiteral,
    ts.SyntaxKind.StringLiteral,
    ts.SyntaxKind.NoSubstitutionTemplateLiteral,
    ts.SyntaxKind.TemplateHead,
    ts.SyntaxKind.TemplateMiddle,
    ts.SyntaxKind.TemplateTail,
    ts.SyntaxKind.TrueKeyword,
    ts.SyntaxKind.FalseKeyword,
    ts.SyntaxKind.NullKeyword,
    ts.SyntaxKind.QuestionToken,
    ts.SyntaxKind.ColonToken,
  ]);
  const compound = new Set<TS.SyntaxKind>([
    ts.SyntaxKind.ParenthesizedExpression,
    ts.SyntaxKind.ConditionalExpression,
    ts.SyntaxKind.TemplateExpression,
    ts.SyntaxKind.TemplateSpan,
    ts.SyntaxKind.TypeOfExpression,
  ]);

  /** Whether `node` and everything under it is of the plain kinds (see createPlainEmit). */
  function plainNode(node: TS.Node): boolean {
    if (ts.isIdentifier(node) || leaves.has(node.kind)) return true;
    if (ts.isBinaryExpression(node)) {
      if (!plainOperator(node.operatorToken.kind)) return false;
      return plainNode(node.left) && plainNode(node.right);
    }
    if (ts.isPrefixUnaryExpression(node)) return prefixOperators.has(node.operator) && plainNode(node.operand);
    if (ts.isPropertyAccessExpression(node))
      return !node.questionDotToken && ts.isIdentifier(node.name) && plainNode(node.expression);
    if (ts.isElementAccessExpression(node))
      return !node.questionDotToken && plainNode(node.expression) && plainNode(node.argumentExpression);
    if (ts.isCallExpression(node) || ts.isNewExpression(node)) {
      if (node.typeArguments || (ts.isCallExpression(node) && node.questionDotToken)) return false;
      if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) return false;
      return plainNode(node.expression) && (node.arguments ?? []).every(plainNode);
    }
    if (ts.isArrayLiteralExpression(node)) return node.elements.every(plainNode);
    if (!compound.has(node.kind)) return false;
    let plain = true;
    ts.forEachChild(node, (child) => {
      plain &&= plainNode(child);
    });
    return plain;
  }

  /** Each declaration file's names, read once: the file is the same for every cell until the next commit. */
  const namesOf = new WeakMap<TS.SourceFile, { values: Set<string>; all: Set<string> }>();
  function earlierNames(declarations: TS.SourceFile): { values: Set<string>; all: Set<string> } {
    let names = namesOf.get(declarations);
    if (!names) namesOf.set(declarations, (names = readNames(declarations)));
    return names;
  }

  /** The earlier cells' names: those tslab rewrites to `exports.` (plain values), and every other declared name. */
  function readNames(declarations: TS.SourceFile): { values: Set<string>; all: Set<string> } {
    const values = new Set<string>();
    const all = new Set<string>();
    for (const statement of declarations.statements) {
      if (ts.isVariableStatement(statement)) {
        for (const declaration of statement.declarationList.declarations) {
          if (ts.isIdentifier(declaration.name)) values.add(declaration.name.text);
          else return { values, all: new Set(['*']) };
        }
      } else if ((ts.isFunctionDeclaration(statement) || ts.isClassDeclaration(statement)) && statement.name) {
        values.add(statement.name.text);
      } else if (ts.isExportDeclaration(statement) && !statement.exportClause && !statement.moduleSpecifier) {
        // tslab's own `export {};` line.
      } else {
        // Anything else declares names this printer does not follow (imports, enums, namespaces, types): collect
        // every identifier it holds, so that a cell using one of them is left to the emit.
        const visit = (node: TS.Node): void => {
          if (ts.isIdentifier(node)) all.add(node.text);
          ts.forEachChild(node, visit);
        };
        visit(statement);
      }
    }
    for (const name of values) all.add(name);
    return { values, all };
  }

  return (src, declarations) => {
    // The emit keeps comments, which this printer would drop: a cell that may hold one (`//` or `/*` anywhere, a
    // URL in a string too) is left to the emit.
    if (src.startsWith('#!') || src.includes('\r') || src.includes('//') || src.includes('/*')) return undefined;
    const file = ts.createSourceFile('__tslab__.ts', src, ts.ScriptTarget.ES2022, true, ts.ScriptKind.TS);
    const parsed = file as TS.SourceFile & { parseDiagnostics?: unknown[] };
    if ((parsed.parseDiagnostics ?? []).length > 0 || file.statements.length === 0) return undefined;
    const earlier = earlierNames(declarations);
    if (earlier.all.has('*')) return undefined;
    const locals: string[] = [];
    const expressions: TS.Expression[] = [];
    for (const statement of file.statements) {
      if (ts.isExpressionStatement(statement)) {
        // A leading string is a directive, which TypeScript's CommonJS transform moves above its own lines.
        if (ts.isStringLiteralLike(statement.expression)) return undefined;
        expressions.push(statement.expression);
        continue;
      }
      if (!ts.isVariableStatement(statement) || statement.modifiers) return undefined;
      const list = statement.declarationList;
      if (list.flags & ~(ts.NodeFlags.Let | ts.NodeFlags.Const)) return undefined;
      for (const declaration of list.declarations) {
        if (!ts.isIdentifier(declaration.name) || declaration.type || declaration.exclamationToken) return undefined;
        locals.push(declaration.name.text);
        if (declaration.initializer) expressions.push(declaration.initializer);
      }
    }
    const declared = new Set(locals);
    if (declared.size !== locals.length || locals.length > MOST_NAMES) return undefined;
    for (const name of locals) {
      if (earlier.all.has(name) || RESERVED.has(name) || name.startsWith(LAST_EXPRESSION)) return undefined;
    }
    if (!expressions.every(plainNode)) return undefined;
    // Every name an expression reads: the cell's own, a global, or an earlier cell's plain value (to `exports.`).
    const readsPlainNames = (node: TS.Node): boolean => {
      if (ts.isPropertyAccessExpression(node)) return readsPlainNames(node.expression);
      if (!ts.isIdentifier(node)) return !ts.forEachChild(node, (child) => (readsPlainNames(child) ? undefined : true));
      const name = node.text;
      if (RESERVED.has(name) || name.startsWith(LAST_EXPRESSION)) return false;
      return declared.has(name) || !earlier.all.has(name) || earlier.values.has(name);
    };
    if (!expressions.every(readsPlainNames)) return undefined;
    const rewrite = (node: TS.Identifier): TS.Node =>
      declared.has(node.text) || !earlier.values.has(node.text)
        ? node
        : ts.factory.createPropertyAccessExpression(ts.factory.createIdentifier('exports'), node);
    /** Rewrites names, and keeps property names (`a.b`'s `b`) as they are, as tslab does. */
    const rewriteExpression = (node: TS.Node): TS.Node => {
      if (ts.isPropertyAccessExpression(node))
        return ts.factory.updatePropertyAccessExpression(
          node,
          rewriteExpression(node.expression) as TS.Expression,
          node.name,
        );
      if (ts.isIdentifier(node)) return rewrite(node);
      return ts.visitEachChild(node, rewriteExpression, context);
    };
    const last = file.statements[file.statements.length - 1]!;
    const lastExpressionVar = ts.isExpressionStatement(last) ? LAST_EXPRESSION : undefined;
    const exported = [...(lastExpressionVar ? [lastExpressionVar] : []), ...locals];
    if (exported.length === 0) return undefined;
    const lines = [
      'Object.defineProperty(exports, "__esModule", { value: true });',
      exported.reduce((chain, name) => `exports.${name} = ${chain}`, 'void 0') + ';',
    ];
    const print = (node: TS.Node) => printer.printNode(ts.EmitHint.Unspecified, node, file);
    for (const statement of file.statements) {
      if (ts.isExpressionStatement(statement)) {
        const expression = rewriteExpression(statement.expression) as TS.Expression;
        if (statement === last) lines.push(`exports.${LAST_EXPRESSION} = ${print(expression)};`);
        else lines.push(print(ts.factory.updateExpressionStatement(statement, expression)));
        continue;
      }
      const variables = statement as TS.VariableStatement;
      lines.push(print(ts.visitEachChild(variables, rewriteStatementPart, context)));
      for (const declaration of variables.declarationList.declarations) {
        const name = (declaration.name as TS.Identifier).text;
        lines.push(`exports.${name} = ${name};`);
      }
    }
    return { output: lines.join('\n') + '\n', lastExpressionVar };

    /** Rewrites a variable statement's initializers; its declared names stay. */
    function rewriteStatementPart(node: TS.Node): TS.Node {
      if (ts.isVariableDeclaration(node))
        return ts.factory.updateVariableDeclaration(
          node,
          node.name,
          undefined,
          undefined,
          node.initializer && (rewriteExpression(node.initializer) as TS.Expression),
        );
      return ts.visitEachChild(node, rewriteStatementPart, context);
    }
  };
}
