/**
 * What a host page can set: as `ConnectChat.mount(element, options)` / `ConnectChat.launcher(options)`,
 * or as `data-*` attributes of the script tag (the same names in kebab case).
 */
import type { Strings } from "./strings";

export interface ChatOptions {
  /** The start-chat endpoint. Default: `apiUrl` of `config.json` beside the script. */
  apiUrl?: string;
  /** AWS region of the Connect instance. Default: from `config.json`. */
  region?: string;
  /** Participant service URL override (the local stack). Default: from `config.json`, else AWS's. */
  participantEndpoint?: string;
  /** Signed-in mode: returns the customer's JWT for the API. */
  authToken?: () => string | Promise<string>;
  /** Header title and subtitle (the same as `strings.title` / `strings.subtitle`). */
  title?: string;
  subtitle?: string;
  /** URL of a logo shown in the header (square, shown at 2rem). */
  logo?: string;
  /** UI language: "de", "pt-BR", "ja_JP", … Default: the browser's, when supported, else English. */
  language?: string;
  /** Any text of the widget, in any language; wins over the language pack. */
  strings?: Partial<Strings>;
  /** Colours, font and shape; see `Theme`. The host page's CSS can set the same custom properties. */
  theme?: Theme;
  /** "light", "dark", or "auto" (follow `prefers-color-scheme`, the default). */
  colorScheme?: "light" | "dark" | "auto";
  /** A soft chime for agent messages while the customer is away. */
  sound?: boolean;
  /** Desktop notifications for agent messages while the page is hidden (permission asked when the customer starts a chat). */
  notifications?: boolean;
  /** CSP nonce for the stylesheet and scripts the widget adds. Default: the nonce of its own script tag. */
  nonce?: string;
  /**
   * How long, in seconds, the widget keeps trying while the service is busy (429/503 from the API,
   * a throttled participant service) before it tells the customer to try again later. Default 180.
   */
  patienceSeconds?: number;
}

export interface LauncherOptions extends ChatOptions {
  /** Which bottom corner. Default: the end side of the language (right, or left for Arabic). */
  position?: "right" | "left";
  /** Panel size (CSS lengths). Default 24rem × 38rem, and the whole screen on a phone. */
  width?: string;
  height?: string;
  /** Open the panel when the page loads (unless the customer minimised it before). */
  autoOpen?: boolean;
  /** No launcher button: the host page opens the panel with `ConnectChat.open()`. */
  hideButton?: boolean;
}

/** The theme's options and the CSS custom property each sets (documented in the README). */
export const themeProperties = {
  accent: "--cc-accent",
  onAccent: "--cc-on-accent",
  background: "--cc-background",
  text: "--cc-text",
  muted: "--cc-muted",
  customerBubble: "--cc-customer-bubble",
  agentBubble: "--cc-agent-bubble",
  darkAccent: "--cc-dark-accent",
  darkOnAccent: "--cc-dark-on-accent",
  darkBackground: "--cc-dark-background",
  darkText: "--cc-dark-text",
  font: "--cc-font",
  radius: "--cc-radius",
} as const;

export type Theme = Partial<Record<keyof typeof themeProperties, string>>;

/** Sets the theme's custom properties on an element (values go through the CSSOM: no CSS text is parsed). */
export function applyTheme(element: HTMLElement, theme: Theme = {}, size: { width?: string; height?: string } = {}): void {
  for (const [option, property] of Object.entries(themeProperties)) {
    const value = theme[option as keyof Theme];
    if (value) element.style.setProperty(property, value);
  }
  if (size.width) element.style.setProperty("--cc-panel-width", size.width);
  if (size.height) element.style.setProperty("--cc-panel-height", size.height);
}

const flags = ["sound", "notifications", "autoOpen", "hideButton"] as const;
const texts = ["apiUrl", "region", "participantEndpoint", "title", "subtitle", "logo", "language", "colorScheme", "position", "width", "height", "nonce"] as const;

/** Options from a script tag's `data-*` attributes: `data-auto-open`, `data-accent="#c00"`, … */
export function optionsFromDataset(dataset: DOMStringMap): LauncherOptions {
  const options: Record<string, unknown> = {};
  for (const key of texts) if (dataset[key]) options[key] = dataset[key];
  for (const key of flags) if (key in dataset) options[key] = dataset[key] !== "false";
  if (dataset.patienceSeconds) options.patienceSeconds = Number(dataset.patienceSeconds);
  const theme = Object.fromEntries(Object.keys(themeProperties).filter((key) => dataset[key]).map((key) => [key, dataset[key]]));
  if (Object.keys(theme).length) options.theme = theme;
  return options as LauncherOptions;
}

