// Tarjan's strongly connected components, without recursion: a bot with tens of thousands of
// steps in one chain must not overflow the stack at load time.

/**
 * The strongly connected components of a graph whose nodes are 0…n-1 and whose edges are
 * `successors[node]`. Each component lists its nodes; components come in reverse topological
 * order, as Tarjan's algorithm finds them.
 */
export function stronglyConnected(successors: ReadonlyArray<readonly number[]>): number[][] {
  const n = successors.length;
  const order = new Array<number>(n).fill(-1);
  const low = new Array<number>(n).fill(0);
  const onStack = new Array<boolean>(n).fill(false);
  const stack: number[] = [];
  const components: number[][] = [];
  let counter = 0;

  const visit = (node: number, work: Array<{ node: number; next: number }>): void => {
    order[node] = counter;
    low[node] = counter;
    counter += 1;
    stack.push(node);
    onStack[node] = true;
    work.push({ node, next: 0 });
  };

  for (let root = 0; root < n; root += 1) {
    if (order[root] !== -1) continue;
    // Each frame is a node whose successors are being walked, as a recursive call would be.
    const work: Array<{ node: number; next: number }> = [];
    visit(root, work);
    for (let frame = work.at(-1); frame; frame = work.at(-1)) {
      const to = successors[frame.node]?.[frame.next];
      if (to !== undefined) {
        frame.next += 1;
        if (order[to] === -1) visit(to, work);
        else if (onStack[to]) low[frame.node] = Math.min(low[frame.node] ?? 0, order[to] ?? 0);
        continue;
      }
      work.pop();
      const parent = work.at(-1);
      if (parent) low[parent.node] = Math.min(low[parent.node] ?? 0, low[frame.node] ?? 0);
      if (low[frame.node] !== order[frame.node]) continue;
      const component: number[] = [];
      for (let member = stack.pop(); member !== undefined; member = stack.pop()) {
        onStack[member] = false;
        component.push(member);
        if (member === frame.node) break;
      }
      components.push(component);
    }
  }
  return components;
}
