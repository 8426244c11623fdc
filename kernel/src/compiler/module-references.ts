import type * as TS from 'typescript';

type TypeScript = typeof import('typescript');

/** What a file asks of the program beyond its own text: modules to resolve, and augmentations to merge. */
export interface ModuleReferences {
  /** Module names the file imports, re-exports or names in `import("…")` types. */
  specifiers: Set<string>;
  /** Whether it declares `declare global { … }` or `declare module "…" { … }`, which change other files' scopes. */
  augments: boolean;
}

/** Words without which a file can reference no module (a cheap test before walking its syntax). */
const mayReferenceModules = /\bimport\b|\bfrom\b|\bmodule\b|\bglobal\b/;

/**
 * The module references of a parsed file, found as TypeScript's program finds them when it adds the file: import
 * and export declarations, `import x = require("…")`, `import("…")` calls and types, and top-level ambient module
 * declarations (the augmentations).
 */
export function moduleReferences(ts: TypeScript, file: TS.SourceFile): ModuleReferences {
  const found: ModuleReferences = { specifiers: new Set(), augments: false };
  if (!mayReferenceModules.test(file.text)) return found;
  const named = (node: TS.Node | undefined) => {
    if (node && ts.isStringLiteralLike(node)) found.specifiers.add(node.text);
  };
  for (const statement of file.statements) {
    if (ts.isModuleDeclaration(statement) && (ts.isStringLiteral(statement.name) || statement.name.text === 'global')) {
      found.augments = true;
    }
  }
  const visit = (node: TS.Node): void => {
    if (ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) named(node.moduleSpecifier);
    else if (ts.isExternalModuleReference(node)) named(node.expression);
    else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument)) named(node.argument.literal);
    else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword)
      named(node.arguments[0]);
    ts.forEachChild(node, visit);
  };
  visit(file);
  return found;
}
