/**
 * A variable that a `before` hook assigns, as an `after` hook must read it: undefined when the `before` hook failed
 * before assigning, which the variable's declared type cannot say (so `started(kernel)?.shutdown()` is no dead check).
 */
export function started<T>(value: T): T | undefined {
  return value;
}
