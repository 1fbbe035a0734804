/**
 * Reverse-mode autodiff over the recorded graph: a topological order from the root, then one
 * derivative rule per node in reverse, micrograd-style. Intermediate gradients are freed as soon
 * as they have been propagated, and the graph is released afterwards (PyTorch's default).
 */
import type { Tensor } from "../tensor/tensor.ts";
import type { GradNode } from "./node.ts";
import { noGrad } from "./grad_mode.ts";
import { mapElementwise } from "../ops/_run.ts";
import { keep } from "../tensor/scope.ts";

function topoOrder(root: Tensor): Tensor[] {
  const order: Tensor[] = [];
  const seen = new Set<Tensor>();
  // Iterative DFS: deep graphs (long training unrolls) must not overflow the JS stack.
  const stack: [Tensor, number][] = [[root, 0]];
  seen.add(root);
  while (stack.length) {
    const top = stack[stack.length - 1];
    const [t, i] = top;
    const inputs = t.node?.inputs ?? [];
    if (i < inputs.length) {
      top[1]++;
      const next = inputs[i];
      if (!seen.has(next) && next.requiresGrad) {
        seen.add(next);
        stack.push([next, 0]);
      }
    } else {
      stack.pop();
      order.push(t);
    }
  }
  return order.reverse();
}

/** Runs backward from `root`; leaves that require grad accumulate into `.grad`. */
export function runBackward(root: Tensor, seed?: Tensor): void {
  if (!root.requiresGrad) {
    throw new Error("backward() was called on a tensor that does not require grad");
  }
  if (!seed && root.size !== 1) {
    throw new Error(
      `backward() without a gradient needs a scalar, got shape [${root.shape}]; pass a gradient`,
    );
  }
  noGrad(() => {
    const grads = new Map<Tensor, Tensor>();
    grads.set(
      root,
      seed ? seed.share(seed.shape) : mapElementwise("1.0", [], { shape: root.shape }),
    );
    const order = topoOrder(root);
    for (const t of order) {
      const g = grads.get(t);
      grads.delete(t);
      const node = t.node;
      if (!g) {
        // No gradient reached this node (a rule gave its output none): release it all the same.
        if (node) release(t, node);
        continue;
      }
      if (!node) {
        accumulate(t, g);
        continue;
      }
      const inputGrads = node.backward(g);
      const handedOut = new Set<Tensor>();
      node.inputs.forEach((input, i) => {
        let gi = inputGrads[i];
        if (!gi || !input.requiresGrad) return;
        // A rule may pass `g` through, or give one tensor to two inputs: give each its own handle.
        if (gi === g || handedOut.has(gi)) gi = gi.share(gi.shape);
        handedOut.add(gi);
        const prev = grads.get(input);
        if (prev) {
          grads.set(input, mapElementwise("x0 + x1", [prev, gi]));
          prev.dispose();
          gi.dispose();
        } else grads.set(input, gi);
      });
      // Whatever a rule made for inputs that need no gradient is freed here.
      for (const gi of new Set(inputGrads)) {
        if (gi && gi !== g && !handedOut.has(gi)) gi.dispose();
      }
      g.dispose();
      release(t, node);
    }
  });
}

/** Drops a node after its backward: the graph is freed, as PyTorch does by default. */
function release(t: Tensor, node: GradNode): void {
  for (const s of node.saved ?? []) s.dispose();
  t.node = null;
}

// A leaf owns its gradient: it must outlive any `tidy` scope that ran the backward pass.
function accumulate(leaf: Tensor, grad: Tensor): void {
  if (leaf.grad && !leaf.grad.disposed) {
    const sum = mapElementwise("x0 + x1", [leaf.grad, grad]);
    leaf.grad.dispose();
    grad.dispose();
    leaf.grad = keep(sum);
  } else leaf.grad = keep(grad);
}
