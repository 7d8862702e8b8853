// Suggestions for a name an author mistyped: the known names ordered by how close they are.
//
// The work is bounded, since the loader runs on every save (hot reload, the studio) and on files
// nobody wrote by hand: a typo is a few edits away, so only names of about the same length are
// compared, names longer than any real id get no suggestion, and at most so many are compared.

const longestSuggested = 64;
const mostCompared = 64;

/** `candidates` ordered closest first (ties keep their order), at most `limit` of them. */
export function closestNames(name: string, candidates: Iterable<string>, limit = 5): string[] {
  if (name.length > longestSuggested) return [];
  const slack = Math.max(3, Math.ceil(name.length / 2));
  const comparable: string[] = [];
  for (const candidate of new Set(candidates)) {
    if (candidate.length > longestSuggested || Math.abs(candidate.length - name.length) > slack) continue;
    comparable.push(candidate);
    if (comparable.length >= mostCompared) break;
  }
  const lower = name.toLowerCase();
  return comparable
    .map((candidate, order) => ({ candidate, order, distance: editDistance(lower, candidate.toLowerCase()) }))
    .sort((a, b) => a.distance - b.distance || a.order - b.order)
    .slice(0, limit)
    .map((c) => c.candidate);
}

/** The one candidate close enough to be a likely typo of `name`, if there is one. */
export function likelyMeant(name: string, candidates: Iterable<string>): string | undefined {
  const [best] = closestNames(name, candidates, 1);
  if (best === undefined) return undefined;
  // One edit in four letters is a typo; in two letters it is another word.
  const shorter = Math.min(name.length, best.length);
  const allowed = shorter < 3 ? 0 : Math.max(1, Math.floor(shorter / 3));
  return editDistance(name.toLowerCase(), best.toLowerCase()) <= allowed ? best : undefined;
}

/** Levenshtein distance, with a swap of two neighbours counted as one edit. */
export function editDistance(a: string, b: string): number {
  const rows = a.length + 1;
  const cols = b.length + 1;
  const d: number[] = new Array<number>(rows * cols).fill(0);
  const at = (i: number, j: number): number => d[i * cols + j] ?? 0;
  for (let i = 0; i < rows; i++) d[i * cols] = i;
  for (let j = 0; j < cols; j++) d[j] = j;
  for (let i = 1; i < rows; i++) {
    for (let j = 1; j < cols; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(at(i - 1, j) + 1, at(i, j - 1) + 1, at(i - 1, j - 1) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) best = Math.min(best, at(i - 2, j - 2) + 1);
      d[i * cols + j] = best;
    }
  }
  return at(a.length, b.length);
}
