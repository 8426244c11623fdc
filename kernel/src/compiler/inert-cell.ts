import { createRequire } from 'node:module';
import type * as TS from 'typescript';

type TypeScript = typeof import('typescript');
const ts = createRequire(createRequire(import.meta.url).resolve('tslab/dist/converter'))(
  '@tslab/typescript-for-tslab',
) as TypeScript;

/** Longer cells are not examined: they rarely pass, and the parse would cost more than the watchdog thread saves. */
const LONGEST_EXAMINED = 1_000;

/** Globals whose value is fixed (non-writable, non-configurable data properties): reading them runs nothing. */
const FIXED_GLOBALS = new Set(['undefined', 'NaN', 'Infinity']);

/** Operators that never call user code, whatever their operands (no conversion: identity, truthiness, sequence). */
const CONVERSION_FREE = new Set<TS.SyntaxKind>([
  ts.SyntaxKind.EqualsEqualsEqualsToken,
  ts.SyntaxKind.ExclamationEqualsEqualsToken,
  ts.SyntaxKind.AmpersandAmpersandToken,
  ts.SyntaxKind.BarBarToken,
  ts.SyntaxKind.QuestionQuestionToken,
  ts.SyntaxKind.CommaToken,
]);

/** Operators that convert their operands (`valueOf`, `toString`): inert on primitives only. */
const CONVERTING = new Set<TS.SyntaxKind>([
  ts.SyntaxKind.PlusToken,
  ts.SyntaxKind.MinusToken,
  ts.SyntaxKind.AsteriskToken,
  ts.SyntaxKind.AsteriskAsteriskToken,
  ts.SyntaxKind.SlashToken,
  ts.SyntaxKind.PercentToken,
  ts.SyntaxKind.LessThanToken,
  ts.SyntaxKind.LessThanEqualsToken,
  ts.SyntaxKind.GreaterThanToken,
  ts.SyntaxKind.GreaterThanEqualsToken,
  ts.SyntaxKind.EqualsEqualsToken,
  ts.SyntaxKind.ExclamationEqualsToken,
  ts.SyntaxKind.AmpersandToken,
  ts.SyntaxKind.BarToken,
  ts.SyntaxKind.CaretToken,
  ts.SyntaxKind.LessThanLessThanToken,
  ts.SyntaxKind.GreaterThanGreaterThanToken,
  ts.SyntaxKind.GreaterThanGreaterThanGreaterThanToken,
]);

/**
 * An expression of literals only: its value is a primitive, and computing it converts nothing of the user's and
 * takes constant time per operator. BigInt literals are left out: `10n ** 10000000n` runs for minutes.
 */
function isPrimitiveLiteral(node: TS.Expression): boolean {
  switch (node.kind) {
    case ts.SyntaxKind.NumericLiteral:
    case ts.SyntaxKind.StringLiteral:
    case ts.SyntaxKind.NoSubstitutionTemplateLiteral:
    case ts.SyntaxKind.TrueKeyword:
    case ts.SyntaxKind.FalseKeyword:
    case ts.SyntaxKind.NullKeyword:
      return true;
    case ts.SyntaxKind.ParenthesizedExpression:
      return isPrimitiveLiteral((node as TS.ParenthesizedExpression).expression);
    case ts.SyntaxKind.PrefixUnaryExpression:
      return isPrimitiveLiteral((node as TS.PrefixUnaryExpression).operand);
    case ts.SyntaxKind.BinaryExpression: {
      const { left, operatorToken, right } = node as TS.BinaryExpression;
      return (
        (CONVERTING.has(operatorToken.kind) || CONVERSION_FREE.has(operatorToken.kind)) &&
        isPrimitiveLiteral(left) &&
        isPrimitiveLiteral(right)
      );
    }
    default:
      return false;
  }
}

/**
 * Whether evaluating `node` can run no code but the engine's: no call, no getter or setter, no conversion of an
 * object, no iteration. `names` are the variables whose reading is a plain read (the kernel keeps cells' names
 * as data properties).
 */
function isInert(node: TS.Expression, names: Set<string>): boolean {
  if (isPrimitiveLiteral(node)) return true;
  switch (node.kind) {
    case ts.SyntaxKind.Identifier: {
      const name = (node as TS.Identifier).text;
      return names.has(name) || FIXED_GLOBALS.has(name);
    }
    case ts.SyntaxKind.ParenthesizedExpression:
    case ts.SyntaxKind.AsExpression:
    case ts.SyntaxKind.SatisfiesExpression:
    case ts.SyntaxKind.NonNullExpression:
    case ts.SyntaxKind.TypeAssertionExpression:
      // Types are erased: the value is the inner expression's.
      return isInert((node as TS.ParenthesizedExpression).expression, names);
    case ts.SyntaxKind.ArrowFunction:
    case ts.SyntaxKind.FunctionExpression:
      // Creating a function runs none of its body, nor its parameters' defaults.
      return true;
    case ts.SyntaxKind.PrefixUnaryExpression: {
      const { operator, operand } = node as TS.PrefixUnaryExpression;
      return operator === ts.SyntaxKind.ExclamationToken && isInert(operand, names);
    }
    case ts.SyntaxKind.TypeOfExpression:
      return isInert((node as TS.TypeOfExpression).expression, names);
    case ts.SyntaxKind.VoidExpression:
      return isInert((node as TS.VoidExpression).expression, names);
    case ts.SyntaxKind.BinaryExpression: {
      const { left, operatorToken, right } = node as TS.BinaryExpression;
      return CONVERSION_FREE.has(operatorToken.kind) && isInert(left, names) && isInert(right, names);
    }
    case ts.SyntaxKind.ArrayLiteralExpression:
      // A spread iterates (a user's iterator); holes and plain elements do not.
      return (node as TS.ArrayLiteralExpression).elements.every((e) => ts.isOmittedExpression(e) || isInert(e, names));
    default:
      return false;
  }
}

/** The variables and functions a statement declares at the cell's top level, or undefined if it may run code. */
function inertDeclarations(statement: TS.Statement): string[] | undefined {
  if (ts.isVariableStatement(statement)) {
    const names: string[] = [];
    for (const declaration of statement.declarationList.declarations) {
      // A destructuring pattern reads properties (getters) or iterates.
      if (!ts.isIdentifier(declaration.name)) return undefined;
      names.push(declaration.name.text);
    }
    return names;
  }
  // Declaring a function runs none of its body.
  if (ts.isFunctionDeclaration(statement)) return statement.name ? [statement.name.text] : [];
  if (ts.isExpressionStatement(statement) || ts.isEmptyStatement(statement)) return [];
  if (ts.isInterfaceDeclaration(statement) || ts.isTypeAliasDeclaration(statement)) return [];
  return undefined;
}

/**
 * Whether a cell, run, can only declare names, read names, create functions and compute with literals: no call,
 * property access, conversion of an object, loop or `await` (a type-checked cell of the kind `let x = 2 * 21; x`).
 * Such a cell ends in microseconds by itself, so the kernel runs it without Node's SIGINT watchdog
 * (`breakOnSigint`), which starts and joins a thread on every call: 0.2–0.4 ms of a trivial cell's time. Any
 * other cell keeps the watchdog, which is what stops code without loops (recursion) on an interrupt.
 * `earlierNames` are the names earlier cells declared; any other global could be a getter.
 */
export function runsNoUserCode(source: string, earlierNames: ReadonlySet<string>): boolean {
  if (source.length > LONGEST_EXAMINED) return false;
  const file = ts.createSourceFile('cell.ts', source, ts.ScriptTarget.ES2022, false, ts.ScriptKind.TS);
  const names = new Set(earlierNames);
  for (const statement of file.statements) {
    const declared = inertDeclarations(statement);
    if (!declared) return false;
    for (const name of declared) names.add(name);
  }
  for (const statement of file.statements) {
    if (ts.isExpressionStatement(statement) && !isInert(statement.expression, names)) return false;
    if (ts.isVariableStatement(statement)) {
      for (const { initializer } of statement.declarationList.declarations)
        if (initializer && !isInert(initializer, names)) return false;
    }
  }
  return true;
}
