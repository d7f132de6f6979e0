// Connected components (8-connectivity, union-find) of a binary image, reduced to bounding boxes and
// pixel counts: the glyph candidates from which MRZ text lines are chained.
import type { BinaryImage } from './binarize';

export interface Component {
  minX: number;
  maxX: number;
  minY: number;
  maxY: number;
  /** Ink pixels in the component. */
  count: number;
}

function find(parent: Int32Array, i: number): number {
  let root = i;
  while (parent[root]! !== root) root = parent[root]!;
  let j = i;
  while (parent[j]! !== root) {
    const next = parent[j]!;
    parent[j] = root;
    j = next;
  }
  return root;
}

function union(parent: Int32Array, a: number, b: number): number {
  const ra = find(parent, a);
  const rb = find(parent, b);
  if (ra === rb) return ra;
  if (ra < rb) {
    parent[rb] = ra;
    return ra;
  }
  parent[ra] = rb;
  return rb;
}

/** Labels ink pixels and returns one box per component (at most `maxComponents`, largest label first). */
export function connectedComponents(binary: BinaryImage, maxComponents = 200_000): Component[] {
  const { width, height, data } = binary;
  const labels = new Int32Array(width * height).fill(-1);
  const parent = new Int32Array(Math.ceil((width * height) / 2) + 1);
  let next = 0;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = y * width + x;
      if (data[i] === 0) continue;
      let label = -1;
      for (let k = 0; k < 4; k++) {
        const nx = x + (k === 0 ? -1 : k - 2);
        const ny = k === 0 ? y : y - 1;
        if (nx < 0 || ny < 0 || nx >= width) continue;
        const n = labels[ny * width + nx]!;
        if (n < 0) continue;
        label = label < 0 ? find(parent, n) : union(parent, label, n);
      }
      if (label < 0) {
        if (next >= parent.length) return [];
        parent[next] = next;
        label = next++;
      }
      labels[i] = label;
    }
  }
  const boxes = new Map<number, Component>();
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const l = labels[y * width + x]!;
      if (l < 0) continue;
      const root = find(parent, l);
      const box = boxes.get(root);
      if (box === undefined) {
        if (boxes.size >= maxComponents) continue;
        boxes.set(root, { minX: x, maxX: x, minY: y, maxY: y, count: 1 });
      } else {
        if (x < box.minX) box.minX = x;
        if (x > box.maxX) box.maxX = x;
        if (y > box.maxY) box.maxY = y;
        box.count++;
      }
    }
  }
  return [...boxes.values()];
}
