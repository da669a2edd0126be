import canonicalize from 'canonicalize';

/*
 * RFC 8785 (JCS) text of a value, as the `canonicalize` package makes it: the bytes every hash covers.
 *
 * The one fast path. A verifier canonicalizes every event it reads; the events come from JSON.parse
 * and were written in canonical form, so their keys are already sorted. For such plain data,
 * JSON.stringify (one native call) gives canonicalize's exact bytes, because canonicalize itself
 * serializes strings, keys and numbers with JSON.stringify and differs only in sorting the keys
 * (JSON.stringify follows Object.keys order) and in what it rejects. `isPlainSorted` checks, for
 * every value in the tree, the conditions under which the two coincide:
 *   strings and keys are well-formed (no lone surrogates: canonicalize throws, JSON.stringify escapes);
 *   numbers are finite (NaN and Infinity: canonicalize throws, JSON.stringify writes null);
 *   otherwise only booleans, null, arrays (prototype Array's) and objects (prototype Object's or null)
 *   with no toJSON method, each object's Object.keys already in UTF-16 code unit order
 *   (what canonicalize's sort() gives) and no value that JSON leaves out (undefined, a function, ...);
 *   nesting at most 64 deep (so a cycle cannot hide).
 * Anything else goes to canonicalize, which produces or throws whatever it always has.
 * canonical-json.unit.spec.ts checks the two agree on chosen and generated values.
 */
export function canonicalJson(value: unknown): string | undefined {
  return isPlainSorted(value, 0) ? JSON.stringify(value) : canonicalize(value);
}

const maxDepth = 64;

function isPlainSorted(value: unknown, depth: number): boolean {
  switch (typeof value) {
    case 'string':
      return value.isWellFormed();
    case 'number':
      return Number.isFinite(value);
    case 'boolean':
      return true;
    case 'object': {
      if (value === null) return true;
      if (depth >= maxDepth || typeof (value as { toJSON?: unknown }).toJSON === 'function') return false;
      const prototype: unknown = Object.getPrototypeOf(value);
      if (Array.isArray(value)) {
        if (prototype !== Array.prototype) return false;
        for (let i = 0; i < value.length; i++) if (!isPlainSorted(value[i], depth + 1)) return false;
        return true;
      }
      if (prototype !== Object.prototype && prototype !== null) return false;
      const record = value as Record<string, unknown>;
      const keys = Object.keys(record);
      for (let i = 0; i < keys.length; i++) {
        const key = keys[i]!;
        if (!key.isWellFormed() || (i > 0 && !(keys[i - 1]! < key)) || !isPlainSorted(record[key], depth + 1)) return false;
      }
      return true;
    }
    default:
      return false;
  }
}
