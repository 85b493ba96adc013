/**
 * Makes a value on first use and keeps it. Handlers load each AWS SDK client this way, so a cold
 * start pays only for the clients a request needs.
 */
export function lazy<T>(make: () => T): () => T {
  let made: { value: T } | undefined;
  return () => (made ??= { value: make() }).value;
}
