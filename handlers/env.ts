/** Reads a function's deploy-time settings from its environment, failing loudly when one is unset. */
export type Env = Record<string, string | undefined>;

export function requireEnv(source: Env, name: string, owner: string): string {
  const value = source[name];
  if (value === undefined || value === "") throw new Error(`${owner}: environment variable ${name} is not set`);
  return value;
}
