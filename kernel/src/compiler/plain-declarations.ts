import type * as TS from 'typescript';

type TypeScript = typeof import('typescript');

/**
 * Whether the declaration transform of a checked cell file cannot report a diagnostic, so that the cell's
 * JavaScript may be run before that transform has run.
 *
 * The transform reports only where it must print a type that cannot be named in a `.d.ts` (TS2742, TS4xxx: a
 * private name, a class expression's private member, a type from a module that cannot be referenced). A cell whose
 * statements declare nothing (expressions, tslab's `export {names}` suffix) or only variables with an identifier
 * for a name, no annotation, and a primitive type (printed as a keyword: `number`, `string`, a literal) gives it
 * nothing of the kind to print. Anything else (functions, classes, types, destructuring, an annotation, an object
 * or enum type) returns false, and the caller waits for the transform as before.
 *
 * `checker` must be the one that checked `file` (the cell's types are read from it).
 */
export function declarationsCannotFail(ts: TypeScript, checker: TS.TypeChecker, file: TS.SourceFile): boolean {
  const keyword =
    ts.TypeFlags.Any |
    ts.TypeFlags.Unknown |
    ts.TypeFlags.String |
    ts.TypeFlags.Number |
    ts.TypeFlags.BigInt |
    ts.TypeFlags.StringLiteral |
    ts.TypeFlags.NumberLiteral |
    ts.TypeFlags.BigIntLiteral |
    ts.TypeFlags.BooleanLiteral |
    ts.TypeFlags.Undefined |
    ts.TypeFlags.Null |
    ts.TypeFlags.Void;
  const printsAsKeyword = (type: TS.Type): boolean => {
    // `boolean` is the union `true | false`, printed as the keyword; any other union is left to the transform.
    if (type.flags & ts.TypeFlags.Boolean) return true;
    return (type.flags & ~keyword) === 0;
  };
  return file.statements.every((statement) => {
    if (ts.isExpressionStatement(statement) || ts.isEmptyStatement(statement)) return true;
    // tslab's suffix exporting the cell's names: it names local declarations, checked below.
    if (ts.isExportDeclaration(statement)) return !statement.moduleSpecifier && !statement.isTypeOnly;
    if (!ts.isVariableStatement(statement)) return false;
    return statement.declarationList.declarations.every(
      (declaration) =>
        ts.isIdentifier(declaration.name) &&
        declaration.type === undefined &&
        printsAsKeyword(checker.getTypeAtLocation(declaration.name)),
    );
  });
}
