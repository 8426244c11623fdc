import type * as TS from 'typescript';

type TypeScript = typeof import('typescript');

/**
 * The global function every loop of a cell calls once per iteration (installed by the kernel, see
 * execution/break-flag.ts): it throws when the user interrupted the kernel, so a loop that never yields to the event
 * loop (after an `await`, in a timer callback) still ends, through an ordinary exception that `finally` blocks and
 * Node's async bookkeeping see.
 */
export const LOOP_CHECK = '__lepton_break__';

/**
 * A transformer that makes every loop (`while`, `do`, `for`, `for…in`, `for…of`) of an emitted file call
 * `LOOP_CHECK()` first in each iteration. Only loops are checked: code without a loop ends by itself (recursion ends
 * in a stack overflow), and the check costs one call per iteration (an `Atomics.load`, which V8 inlines).
 */
export function loopChecks(ts: TypeScript): TS.TransformerFactory<TS.SourceFile> {
  return (context) => {
    const { factory } = context;
    const check = () =>
      factory.createExpressionStatement(
        factory.createCallExpression(factory.createIdentifier(LOOP_CHECK), undefined, []),
      );
    const checked = (body: TS.Statement): TS.Statement =>
      ts.isBlock(body)
        ? factory.updateBlock(body, [check(), ...body.statements])
        : factory.createBlock([check(), body], true);
    const visit = (node: TS.Node): TS.Node => {
      const visited = ts.visitEachChild(node, visit, context);
      if (ts.isWhileStatement(visited))
        return factory.updateWhileStatement(visited, visited.expression, checked(visited.statement));
      if (ts.isDoStatement(visited))
        return factory.updateDoStatement(visited, checked(visited.statement), visited.expression);
      if (ts.isForStatement(visited)) {
        return factory.updateForStatement(
          visited,
          visited.initializer,
          visited.condition,
          visited.incrementor,
          checked(visited.statement),
        );
      }
      if (ts.isForInStatement(visited))
        return factory.updateForInStatement(
          visited,
          visited.initializer,
          visited.expression,
          checked(visited.statement),
        );
      if (ts.isForOfStatement(visited)) {
        return factory.updateForOfStatement(
          visited,
          visited.awaitModifier,
          visited.initializer,
          visited.expression,
          checked(visited.statement),
        );
      }
      return visited;
    };
    return (file) => ts.visitEachChild(file, visit, context);
  };
}
