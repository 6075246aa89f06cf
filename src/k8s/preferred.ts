/**
 * GetPreferredAllocation: keep a container's devices on one NUMA node where the
 * available devices allow it. Pure.
 */

/**
 * Choose `size` of `available` (which must include `mustInclude`): the NUMA node
 * holding the must-include devices (or, without any, the node with the most
 * available devices, lowest number on a tie) is filled first, then the rest by
 * node and ID, so a request that cannot fit one node spans as few as it can.
 */
export function preferredAllocation(available: string[], mustInclude: string[], size: number, numaOf: (id: string) => number): string[] {
  const chosen = [...new Set(mustInclude)].filter((id) => available.includes(id));
  if (chosen.length >= size) return chosen.slice(0, size);
  const byNode = new Map<number, string[]>();
  for (const id of [...new Set(available)].sort()) {
    if (chosen.includes(id)) continue;
    const n = numaOf(id);
    byNode.set(n, [...(byNode.get(n) ?? []), id]);
  }
  const pinned = new Set(chosen.map(numaOf));
  const need = size - chosen.length;
  const nodes = [...byNode.keys()].sort((a, b) => {
    // The must-include devices' node first; then a node that fits the rest whole; then the fullest.
    const score = (n: number) => [pinned.has(n) ? 1 : 0, byNode.get(n)!.length >= need ? 1 : 0, byNode.get(n)!.length];
    const [sa, sb] = [score(a), score(b)];
    for (let i = 0; i < sa.length; i++) if (sa[i] !== sb[i]) return sb[i] - sa[i];
    // Unknown node (-1) last; then by number.
    return Number(a < 0) - Number(b < 0) || a - b;
  });
  for (const n of nodes) for (const id of byNode.get(n)!) if (chosen.length < size) chosen.push(id);
  return chosen;
}
