/**
 * One regression tree as flat typed arrays (no node objects): node `i` is a leaf when `feature[i]` is -1, else rows
 * with `x[feature] ≤ threshold` go to `left`, others to `right`, and missing values (NaN) follow `missingLeft`.
 */
import { MISSING_BIN } from './binning.js';

/** A fitted tree. Node 0 is the root. */
export interface Tree {
  /** The feature each node tests, -1 at leaves. */
  feature: Int32Array;
  /** The float32 threshold of each split (`x ≤ threshold` goes left). */
  threshold: Float64Array;
  /** The left child of each split. */
  left: Int32Array;
  /** The right child of each split. */
  right: Int32Array;
  /** 1 where missing values go left. */
  missingLeft: Uint8Array;
  /** Each leaf's value, the learning rate applied (0 at splits). */
  value: Float64Array;
  /** Each split's gain, for feature importances (0 at leaves). */
  gain: Float64Array;
  /** Training rows that reached each node. */
  count: Float64Array;
  /** The bin threshold of each split, on the training bins (training only; not saved). */
  bin?: Int32Array;
}

/** Grows a tree node by node: parallel arrays, appended as nodes are made. */
export class TreeBuilder {
  private readonly feature: number[] = [];
  private readonly threshold: number[] = [];
  private readonly left: number[] = [];
  private readonly right: number[] = [];
  private readonly missingLeft: number[] = [];
  private readonly value: number[] = [];
  private readonly gain: number[] = [];
  private readonly count: number[] = [];
  private readonly bin: number[] = [];

  /** A new leaf holding `rows` rows; returns its index. */
  leaf(rows: number): number {
    this.feature.push(-1);
    this.threshold.push(0);
    this.left.push(-1);
    this.right.push(-1);
    this.missingLeft.push(0);
    this.value.push(0);
    this.gain.push(0);
    this.count.push(rows);
    this.bin.push(0);
    return this.feature.length - 1;
  }

  /** Turns leaf `node` into a split with two new leaf children; returns them. */
  split(
    node: number,
    feature: number,
    bin: number,
    threshold: number,
    missingLeft: boolean,
    gain: number,
    leftRows: number,
    rightRows: number,
  ): [number, number] {
    const l = this.leaf(leftRows);
    const r = this.leaf(rightRows);
    this.feature[node] = feature;
    this.bin[node] = bin;
    this.threshold[node] = threshold;
    this.missingLeft[node] = missingLeft ? 1 : 0;
    this.gain[node] = gain;
    this.left[node] = l;
    this.right[node] = r;
    return [l, r];
  }

  /** Sets a leaf's value. */
  setValue(node: number, value: number): void {
    this.value[node] = value;
  }

  /** The tree as typed arrays. */
  build(): Tree {
    return {
      feature: Int32Array.from(this.feature),
      threshold: Float64Array.from(this.threshold),
      left: Int32Array.from(this.left),
      right: Int32Array.from(this.right),
      missingLeft: Uint8Array.from(this.missingLeft),
      value: Float64Array.from(this.value),
      gain: Float64Array.from(this.gain),
      count: Float64Array.from(this.count),
      bin: Int32Array.from(this.bin),
    };
  }
}

/** The leaf a row of raw values reaches (`x(f)` reads feature `f`); values compare as float32, as ONNX does. */
export function leafOf(tree: Tree, x: (feature: number) => number): number {
  let node = 0;
  while (tree.feature[node]! >= 0) {
    const v = x(tree.feature[node]!);
    const goLeft = Number.isNaN(v) ? tree.missingLeft[node] === 1 : Math.fround(v) <= tree.threshold[node]!;
    node = goLeft ? tree.left[node]! : tree.right[node]!;
  }
  return node;
}

/** The leaf value a row of the training bins reaches (column-major bins of `rows` rows). */
export function binnedValue(tree: Tree, bins: Uint8Array, rows: number, r: number): number {
  const binThreshold = tree.bin!;
  let node = 0;
  while (tree.feature[node]! >= 0) {
    const b = bins[tree.feature[node]! * rows + r]!;
    const goLeft = b === MISSING_BIN ? tree.missingLeft[node] === 1 : b <= binThreshold[node]!;
    node = goLeft ? tree.left[node]! : tree.right[node]!;
  }
  return tree.value[node]!;
}

/** The deepest leaf's depth (a lone leaf has depth 0). */
export function treeDepth(tree: Tree, node = 0): number {
  return tree.feature[node]! < 0
    ? 0
    : 1 + Math.max(treeDepth(tree, tree.left[node]), treeDepth(tree, tree.right[node]));
}

/** Leaves of a tree. */
export function leafCount(tree: Tree): number {
  let n = 0;
  for (let i = 0; i < tree.feature.length; i++) if (tree.feature[i]! < 0) n++;
  return n;
}
