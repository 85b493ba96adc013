/**
 * Which language the widget speaks, and its texts. English is built in; every other language is a
 * pack of its own (`lang/<code>.ts`, built to `lang-<code>-<hash>.js`), loaded only when chosen, as
 * a classic script: like the widget itself, it loads from another origin without CORS, and under a
 * host page's CSP that already allows the widget's origin.
 */
import { loadGlobal } from "./load-script";
import { packGlobal } from "./script-globals";
import { english, type Strings } from "./strings";

/** The hosted Connect widget's ten languages, plus Arabic (right to left). */
export const languages = ["en", "de", "es", "fr", "id", "it", "ja", "ko", "pt-BR", "zh-CN", "ar"] as const;
export type Language = (typeof languages)[number];

const rightToLeft: readonly Language[] = ["ar"];

/** Where each pack is, by language: filled in by the build (www/build.ts). */
declare const LANGUAGE_FILES: Record<string, string>;


/**
 * The supported language that fits `requested` best, else the browser's first that fits, else
 * English. Takes BCP 47 tags ("pt-BR", "zh-Hans-CN") and the hosted widget's ("pt_BR", "ja_JP").
 */
export function chooseLanguage(requested: string | undefined, browser: readonly string[]): Language {
  for (const tag of [requested, ...browser]) {
    if (!tag) continue;
    const [base, ...rest] = tag.replace(/_/g, "-").toLowerCase().split("-");
    const exact = languages.find((language) => language.toLowerCase() === [base, ...rest].join("-"));
    if (exact) return exact;
    if (base === "zh") return "zh-CN";
    if (base === "pt") return "pt-BR";
    const sameBase = languages.find((language) => language.split("-")[0] === base);
    if (sameBase) return sameBase;
  }
  return "en";
}

export const directionOf = (language: Language): "rtl" | "ltr" => (rightToLeft.includes(language) ? "rtl" : "ltr");

/**
 * The texts in `language`, with the deployer's overrides on top. A pack that cannot load leaves
 * the widget in English rather than without words.
 */
export async function loadStrings(language: Language, overrides: Partial<Strings>, baseUrl: string, nonce?: string): Promise<{ language: Language; strings: Strings }> {
  const translated = language === "en" ? undefined
    : await loadGlobal<Record<string, Strings>>(new URL(LANGUAGE_FILES[language], baseUrl).href, packGlobal, nonce).then((packs) => packs[language], () => undefined);
  const own = Object.fromEntries(Object.entries(overrides).filter(([key, value]) => key in english && typeof value === "string"));
  return { language: translated ? language : "en", strings: { ...english, ...translated, ...own } };
}
