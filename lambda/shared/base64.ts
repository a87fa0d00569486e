/**
 * Strict base64 decoding, shared by the handlers. Pure.
 *
 * `Buffer.from(s, 'base64')` skips characters outside the alphabet and ignores bad padding, so it never rejects anything;
 * a regular expression over a whole record backtracks and, on records of a few MiB, can throw `RangeError: Maximum call
 * stack size exceeded`. This decodes with Buffer (linear, no recursion) and accepts the input only when it is the
 * canonical base64 of the bytes it decodes to (standard alphabet, padded), which is what Kinesis and Firehose send.
 */

/** The bytes of a canonical, padded, standard-alphabet base64 string, or undefined when `data` is not one. */
export function decodeStrictBase64(data: string): Buffer | undefined {
  if (data.length % 4 !== 0) return undefined;
  const bytes = Buffer.from(data, 'base64');
  // Canonical iff re-encoding gives the same text: any character outside the alphabet, misplaced padding or non-zero
  // padding bits make the two differ. The expected length is checked first, so that the comparison is rarely needed.
  if (Math.ceil(bytes.length / 3) * 4 !== data.length) return undefined;
  return bytes.toString('base64') === data ? bytes : undefined;
}
