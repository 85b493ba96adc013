/** The widget's language packs (www/src/lang): complete, really translated, safe to format, and small. */
import { expect } from "chai";
import { buildSync } from "esbuild";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { english, placeholders, type StringKey } from "../www/src/strings";

const langDir = join(__dirname, "../www/src/lang");
/** Every pack on disk, so a pack added later is checked without touching this file. */
const packFiles = readdirSync(langDir).filter((file) => file.endsWith(".ts")).sort();
const languageOf = (file: string) => file.replace(/\.ts$/, "");
const keys = Object.keys(english) as StringKey[];
/** Texts a deployer fills in or that are otherwise not translated. */
const untranslatable = new Set<StringKey>(["subtitle"]);
/** What a pack may weigh once minified and gzipped. */
const maxGzipBytes = 2048;

/** The script each language must actually be written in, checked on every text of its pack. */
const scripts: Record<string, { name: string; pattern: RegExp }> = {
  ar: { name: "Arabic", pattern: /\p{Script=Arabic}/u },
  ja: { name: "Japanese kana or kanji", pattern: /[\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Han}]/u },
  ko: { name: "Hangul", pattern: /\p{Script=Hangul}/u },
  "zh-CN": { name: "Han", pattern: /\p{Script=Han}/u },
};

describe("language packs", () => {
  const packs = new Map<string, Record<string, unknown>>();

  before(async () => {
    for (const file of packFiles) {
      const loaded = (await import(join(langDir, file))) as { default: Record<string, unknown> };
      packs.set(languageOf(file), loaded.default);
    }
  });

  /** Every pack's texts, with the language for failure messages. */
  const eachPack = (check: (language: string, pack: Record<string, unknown>) => void) => {
    expect(packs.size, "language packs found").to.be.greaterThan(0);
    for (const [language, pack] of packs) check(language, pack);
  };

  it("ships German, Spanish, French, Indonesian, Italian, Japanese, Korean, Brazilian Portuguese, Simplified Chinese and Arabic", () => {
    expect(packFiles.map(languageOf)).to.include.members(["de", "es", "fr", "id", "it", "ja", "ko", "pt-BR", "zh-CN", "ar"]);
  });

  it("every language pack translates every text the widget shows, with no extra keys, in English's order", () => {
    eachPack((language, pack) => expect(Object.keys(pack), language).to.deep.equal(keys));
  });

  it("every text is a non-empty string, and the subtitle stays empty for the deployer to set", () => {
    eachPack((language, pack) => {
      for (const key of keys) {
        const value = pack[key];
        expect(value, `${language}.${key}`).to.be.a("string");
        if (key === "subtitle") expect(value, `${language}.${key}`).to.equal("");
        else expect((value as string).trim(), `${language}.${key}`).to.not.equal("");
      }
    });
  });

  it("a translation uses only placeholders its English text has, so format() never leaves one unfilled", () => {
    eachPack((language, pack) => {
      for (const key of keys) {
        if (typeof pack[key] !== "string") continue; // A missing text fails the completeness test.
        expect(placeholders(pack[key]), `${language}.${key}: ${pack[key]}`).to.satisfy(
          (used: string[]) => used.every((name) => placeholders(english[key]).includes(name)),
        );
      }
    });
  });

  it("the name and agent rules are whole sentences in the language, not the API's English {problem}", () => {
    eachPack((language, pack) => {
      for (const key of ["nameInvalid", "agentInvalid"] as const) {
        expect(pack[key], `${language}.${key}`).to.not.include("{problem}");
        expect(placeholders(pack[key] as string), `${language}.${key}`).to.deep.equal([]);
      }
      expect(pack.nameInvalid, `${language}.nameInvalid`).to.include("256");
      expect(pack.agentInvalid, `${language}.agentInvalid`).to.include("100").and.include("Amazon Connect");
    });
  });

  it("an untranslated copy of English fails: at least 80% of each pack's texts differ from English", () => {
    eachPack((language, pack) => {
      const translatable = keys.filter((key) => !untranslatable.has(key));
      const same = translatable.filter((key) => pack[key] === english[key]);
      expect((translatable.length - same.length) / translatable.length, `${language} keeps English for ${same.join(", ")}`).to.be.at.least(0.8);
    });
  });

  it("Arabic, Japanese, Korean and Chinese texts are written in their own script", () => {
    eachPack((language, pack) => {
      const script = scripts[language];
      if (!script) return;
      for (const key of keys) {
        if (untranslatable.has(key)) continue;
        expect(pack[key], `${language}.${key} in ${script.name}`).to.match(script.pattern);
      }
    });
    const all = (language: string) => Object.values(packs.get(language) ?? {}).join(" ");
    // Japanese has kana; Chinese has none, nor Hangul.
    expect(all("ja")).to.match(/[\p{Script=Hiragana}\p{Script=Katakana}]/u);
    expect(all("zh-CN")).to.not.match(/[\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}]/u);
  });

  for (const file of packFiles) {
    it(`${languageOf(file)} weighs at most ${maxGzipBytes} bytes minified and gzipped`, () => {
      const bundle = buildSync({ entryPoints: [join(langDir, file)], bundle: true, minify: true, format: "iife", write: false }).outputFiles[0].contents;
      expect(gzipSync(bundle, { level: 9 }).length).to.be.at.most(maxGzipBytes);
    });
  }
});
