/**
 * Adds one of the widget's own scripts (ChatJS, a language pack, the chat's parts) to the page, once.
 * Classic scripts: like the widget itself, they load from its site without CORS, under a host
 * page's CSP that allows the widget's origin or gives it a nonce.
 */
const loading = new Map<string, Promise<void>>();

export function loadScript(url: string, nonce?: string): Promise<void> {
  const pending = loading.get(url) ?? new Promise<void>((resolve, reject) => {
    const script = document.createElement("script");
    script.src = url;
    script.async = true;
    if (nonce) script.nonce = nonce;
    script.onload = () => resolve();
    script.onerror = () => {
      // A later attempt (the network is back) loads it afresh.
      loading.delete(url);
      script.remove();
      reject(new Error(`${url} could not be loaded`));
    };
    document.head.append(script);
  });
  loading.set(url, pending);
  return pending;
}

/** What a loaded script left in a global of the page, or an error naming the script. */
export async function loadGlobal<T>(url: string, name: string, nonce?: string): Promise<T> {
  await loadScript(url, nonce);
  const value = (window as unknown as Record<string, T | undefined>)[name];
  if (value === undefined) throw new Error(`${url} did not define ${name}`);
  return value;
}
