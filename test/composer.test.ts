/** The composer (www/src/composer.ts) on its own in a blank Chromium page, with the widget's styles. */
import { readFileSync } from "node:fs";
import { expect } from "chai";
import { buildSync } from "esbuild";
import type { Browser, Page } from "playwright-core";
import type { Composer } from "../www/src/composer";
import type { parseMarkdown } from "../www/src/markdown";
import { artifactsDir, launchChromium } from "./support/browser";

/** What the page records: the composer's calls, and the widget's own markdown parser to check its output. */
interface Harness {
  composer: Composer;
  calls: { send: string[]; typing: number; attach: string[] };
  parseMarkdown: typeof parseMarkdown;
}
declare const window: Window & Harness;

const entry = `
import { createComposer } from "./composer";
import { parseMarkdown } from "./markdown";
import { english } from "./strings";
const calls = { send: [], typing: 0, attach: [] };
const composer = createComposer({
  id: "t",
  strings: english,
  send: (text) => calls.send.push(text),
  typing: () => { calls.typing++; },
  attach: (file) => calls.attach.push(file.name),
});
const root = document.createElement("div");
root.className = "cc";
const log = document.createElement("ol");
log.className = "cc-log";
log.style.height = "15rem";
root.append(log, composer.form);
document.body.append(root);
Object.assign(window, { calls, composer, parseMarkdown });
`;

describe("composer (Chromium)", () => {
  let browser: Browser;
  let page: Page;
  let script: string;
  const styles = ["www/src/connect-chat.css", "www/src/composer.css"].map((file) => readFileSync(file, "utf8")).join("\n");

  before(async () => {
    browser = await launchChromium();
    script = buildSync({ stdin: { contents: entry, resolveDir: "www/src", loader: "ts" }, bundle: true, format: "iife", write: false }).outputFiles[0].text;
  });
  after(async () => browser?.close());
  beforeEach(async () => {
    page = await browser.newPage({ viewport: { width: 480, height: 640 } });
    await page.setContent(`<!doctype html><html lang="en"><head><meta charset="utf-8"></head><body></body></html>`);
    await page.addStyleTag({ content: styles });
    await page.addScriptTag({ content: script });
  });
  afterEach(async () => page.close());

  const box = () => page.getByRole("textbox", { name: "Message" });
  const calls = () => page.evaluate(() => window.calls);
  const features = (markdown: boolean, attachments = false) =>
    page.evaluate((allowed) => window.composer.setFeatures(allowed), { markdown, attachments });
  /** Puts text in the box with start…end selected, and focuses it. */
  const select = (value: string, start = 0, end = value.length) => page.evaluate(([value, start, end]) => {
    const textarea = window.composer.textarea;
    textarea.value = value as string;
    textarea.focus();
    textarea.setSelectionRange(start as number, end as number);
  }, [value, start, end] as const);
  const state = () => page.evaluate(() => {
    const { value, selectionStart, selectionEnd } = window.composer.textarea;
    return { value, selected: value.slice(selectionStart, selectionEnd), caret: selectionStart };
  });
  /** The focused element: a button's name, else its tag. */
  const focused = () => page.evaluate(() => {
    const element = document.activeElement!;
    return element.tagName === "BUTTON" ? element.getAttribute("aria-label") ?? element.textContent : element.tagName;
  });

  it("sends the trimmed text on Enter and with the send button; Shift+Enter starts a line", async () => {
    await box().click();
    await page.keyboard.type("  Hello");
    await page.keyboard.press("Shift+Enter");
    await page.keyboard.type("there ");
    expect((await calls()).send).to.deep.equal([]);
    await page.keyboard.press("Enter");
    expect((await calls()).send).to.deep.equal(["Hello\nthere"]);
    // The composer leaves clearing to its owner, once the message is really sent.
    expect((await state()).value).to.equal("  Hello\nthere ");
    const send = page.getByRole("button", { name: "Send" });
    expect(await send.count()).to.equal(1);
    expect(await send.getAttribute("type")).to.equal("submit");
    expect(await send.locator("svg").getAttribute("aria-hidden")).to.equal("true");
    await send.click();
    expect((await calls()).send).to.deep.equal(["Hello\nthere", "Hello\nthere"]);
    await page.evaluate(() => window.composer.clear());
    await box().press("Enter");
    expect((await calls()).send).to.have.length(2);
    expect((await calls()).typing).to.be.greaterThan(5);
    const textarea = await box().evaluate((element: HTMLTextAreaElement) => ({ rows: element.rows, maxLength: element.maxLength, placeholder: element.placeholder }));
    expect(textarea).to.deep.equal({ rows: 2, maxLength: 1024, placeholder: "Write a message" });
  });

  it("does not send on the Enter that ends an IME composition", async () => {
    await select("");
    // A real composition, as a Japanese IME makes one: Enter during it arrives with isComposing.
    const cdp = await page.context().newCDPSession(page);
    await cdp.send("Input.imeSetComposition", { text: "にほんご", selectionStart: 4, selectionEnd: 4 });
    await page.keyboard.press("Enter");
    expect((await calls()).send).to.deep.equal([]);
    await cdp.send("Input.insertText", { text: "にほんご" });
    // Safari reports that Enter as keyCode 229 rather than isComposing.
    const prevented = await page.evaluate(() => {
      const enter = new KeyboardEvent("keydown", { key: "Enter", keyCode: 229, bubbles: true, cancelable: true } as KeyboardEventInit);
      window.composer.textarea.dispatchEvent(enter);
      return enter.defaultPrevented;
    });
    expect(prevented).to.equal(false);
    expect((await calls()).send).to.deep.equal([]);
    await box().press("Enter");
    expect((await calls()).send).to.have.length(1);
    expect((await calls()).send[0]).to.include("にほんご");
  });

  it("shows the formatting toolbar and the emoji button only when markdown is allowed", async () => {
    const toolbar = page.getByRole("toolbar", { name: "Formatting" });
    expect(await toolbar.isVisible()).to.equal(false);
    expect(await page.getByRole("button", { name: "Emoji" }).isVisible()).to.equal(false);
    // Without markdown the shortcuts are the browser's, and the text stays plain.
    await select("plain");
    await page.keyboard.press("Control+b");
    expect((await state()).value).to.equal("plain");
    await features(true);
    expect(await toolbar.isVisible()).to.equal(true);
    for (const name of ["Bold", "Italic", "Bulleted list", "Numbered list", "Link", "Emoji"]) {
      expect(await toolbar.getByRole("button", { name }).isVisible(), name).to.equal(true);
    }
    await page.screenshot({ path: `${artifactsDir}/composer.png` });
    await features(false);
    expect(await toolbar.isVisible()).to.equal(false);
  });

  it("shows the attach button only when attachments are allowed, and hands over the chosen file", async () => {
    const attach = page.getByRole("button", { name: "Attach a file" });
    expect(await attach.isVisible()).to.equal(false);
    await features(false, true);
    expect(await attach.isVisible()).to.equal(true);
    const [chooser] = await Promise.all([page.waitForEvent("filechooser"), attach.click()]);
    await chooser.setFiles({ name: "receipt.pdf", mimeType: "application/pdf", buffer: Buffer.from("%PDF-1.4") });
    expect((await calls()).attach).to.deep.equal(["receipt.pdf"]);
  });

  it("moves along the toolbar with the arrow keys, one tab stop for all of it", async () => {
    await features(true);
    await page.getByRole("button", { name: "Bold" }).focus();
    await page.keyboard.press("ArrowRight");
    expect(await focused()).to.equal("Italic");
    await page.keyboard.press("End");
    expect(await focused()).to.equal("Emoji");
    await page.keyboard.press("ArrowRight");
    expect(await focused()).to.equal("Bold");
    await page.keyboard.press("ArrowLeft");
    expect(await focused()).to.equal("Emoji");
    await page.keyboard.press("Home");
    expect(await focused()).to.equal("Bold");
    await page.keyboard.press("Tab");
    expect(await focused()).to.equal("TEXTAREA");
    await page.keyboard.press("Shift+Tab");
    expect(await focused()).to.equal("Bold");
  });

  it("bolds the selection with Ctrl+B, and unbolds it with Ctrl+B again", async () => {
    await features(true);
    await select("say hello now", 4, 9);
    const typingBefore = (await calls()).typing;
    await page.keyboard.press("Control+b");
    expect(await state()).to.deep.equal({ value: "say **hello** now", selected: "hello", caret: 6 });
    expect((await calls()).typing).to.equal(typingBefore + 1);
    await page.keyboard.press("Control+b");
    expect(await state()).to.deep.equal({ value: "say hello now", selected: "hello", caret: 4 });
    // Formatting is typing as far as undo goes.
    await page.keyboard.press("Control+b");
    await page.keyboard.press("Control+z");
    expect((await state()).value).to.equal("say hello now");
    // Markers selected with the word come off too.
    await select("**hello**");
    await page.keyboard.press("Control+b");
    expect(await state()).to.deep.equal({ value: "hello", selected: "hello", caret: 0 });
    // Nothing selected: the caret goes between the markers, and the text typed there is bold.
    await select("", 0, 0);
    await page.keyboard.press("Control+b");
    await page.keyboard.type("bold");
    expect((await state()).value).to.equal("**bold**");
    const blocks = await page.evaluate(() => window.parseMarkdown(window.composer.textarea.value));
    expect(blocks).to.deep.equal([{ type: "p", children: [{ type: "strong", children: [{ type: "text", text: "bold" }] }] }]);
  });

  it("italicises with Ctrl+I and the Italic button, telling italics from bold", async () => {
    await features(true);
    await select("a word", 2, 6);
    await page.keyboard.press("Control+i");
    expect(await state()).to.deep.equal({ value: "a *word*", selected: "word", caret: 3 });
    await page.keyboard.press("Control+i");
    expect(await state()).to.deep.equal({ value: "a word", selected: "word", caret: 2 });
    // Inside bold, italic adds a third star rather than taking one of bold's away.
    await select("**word**", 2, 6);
    await page.getByRole("button", { name: "Italic" }).click();
    expect(await state()).to.deep.equal({ value: "***word***", selected: "word", caret: 3 });
    expect(await focused()).to.equal("TEXTAREA");
    await page.getByRole("button", { name: "Italic" }).click();
    expect(await state()).to.deep.equal({ value: "**word**", selected: "word", caret: 2 });
    await page.getByRole("button", { name: "Bold" }).click();
    expect(await state()).to.deep.equal({ value: "word", selected: "word", caret: 0 });
  });

  it("makes the selected lines a bulleted or numbered list the widget renders as one", async () => {
    await features(true);
    await select("one\ntwo\nthree", 1, 9);
    await page.getByRole("button", { name: "Bulleted list" }).click();
    expect(await state()).to.deep.equal({ value: "- one\n- two\n- three", selected: "- one\n- two\n- three", caret: 0 });
    expect(await focused()).to.equal("TEXTAREA");
    await page.getByRole("button", { name: "Numbered list" }).click();
    expect((await state()).value).to.equal("1. one\n2. two\n3. three");
    await page.getByRole("button", { name: "Numbered list" }).click();
    expect((await state()).value).to.equal("one\ntwo\nthree");
    // A list after a line of text is set apart from it, or markdown.ts would read one paragraph.
    await select("Steps:\nopen it\nclose it\nThanks", 7, 23);
    await page.getByRole("button", { name: "Numbered list" }).click();
    const { value } = await state();
    expect(value).to.equal("Steps:\n\n1. open it\n2. close it\n\nThanks");
    const blocks = await page.evaluate((text) => window.parseMarkdown(text).map((block) => block.type), value);
    expect(blocks).to.deep.equal(["p", "ol", "p"]);
    // Nothing selected, on an empty line: a marker, with the caret after it.
    await select("", 0, 0);
    await page.getByRole("button", { name: "Bulleted list" }).click();
    await page.keyboard.type("item");
    expect((await state()).value).to.equal("- item");
  });

  it("links the selection with Ctrl+K, with https:// selected to type over", async () => {
    await features(true);
    await select("see the docs", 8, 12);
    await page.keyboard.press("Control+k");
    expect(await state()).to.deep.equal({ value: "see the [docs](https://)", selected: "https://", caret: 15 });
    await page.keyboard.type("https://example.com/help");
    const blocks = await page.evaluate(() => window.parseMarkdown(window.composer.textarea.value));
    expect(JSON.stringify(blocks)).to.include('"href":"https://example.com/help"');
    // With nothing selected, the link gets a label to change.
    await select("", 0, 0);
    await page.getByRole("button", { name: "Link" }).click();
    expect(await state()).to.deep.equal({ value: "[Link](https://)", selected: "https://", caret: 7 });
  });

  it("inserts an emoji from the picker at the caret, by keyboard or by click", async () => {
    await features(true);
    await select("Hi there", 2, 2);
    const emojiButton = page.getByRole("button", { name: "Emoji" });
    const picker = page.getByRole("dialog", { name: "Emoji" });
    expect(await emojiButton.getAttribute("aria-haspopup")).to.equal("dialog");
    expect(await emojiButton.getAttribute("aria-expanded")).to.equal("false");
    await emojiButton.click();
    expect(await picker.isVisible()).to.equal(true);
    expect(await emojiButton.getAttribute("aria-expanded")).to.equal("true");
    expect(await picker.getByRole("button").count()).to.equal(24);
    expect(await focused()).to.equal("😀");
    // Six to a row: right twice, then down a row.
    await page.keyboard.press("ArrowRight");
    await page.keyboard.press("ArrowRight");
    await page.keyboard.press("ArrowDown");
    expect(await focused()).to.equal("👍");
    await page.keyboard.press("ArrowUp");
    await page.keyboard.press("ArrowLeft");
    expect(await focused()).to.equal("😂");
    await page.keyboard.press("Enter");
    expect(await picker.isVisible()).to.equal(false);
    expect(await emojiButton.getAttribute("aria-expanded")).to.equal("false");
    expect(await focused()).to.equal("TEXTAREA");
    expect(await state()).to.deep.equal({ value: "Hi😂 there", selected: "", caret: 4 });
    // The picker opens where the customer left off, and a click inserts too.
    await emojiButton.click();
    expect(await focused()).to.equal("😂");
    await picker.getByRole("button", { name: "🎉" }).click();
    expect((await state()).value).to.equal("Hi😂🎉 there");
  });

  it("closes the emoji picker on Escape, back on its button, and on a click outside it", async () => {
    await features(true);
    const emojiButton = page.getByRole("button", { name: "Emoji" });
    const picker = page.getByRole("dialog", { name: "Emoji" });
    await emojiButton.click();
    // The Escape is the picker's alone: a widget that closes on Escape stays open.
    await page.evaluate(() => document.addEventListener("keydown", (event) => { if (event.key === "Escape") document.body.dataset.escaped = "yes"; }));
    await page.keyboard.press("Escape");
    expect(await picker.isVisible()).to.equal(false);
    expect(await focused()).to.equal("Emoji");
    expect(await emojiButton.getAttribute("aria-expanded")).to.equal("false");
    expect(await page.evaluate(() => document.body.dataset.escaped)).to.equal(undefined);
    await emojiButton.click();
    expect(await picker.isVisible()).to.equal(true);
    await emojiButton.click();
    expect(await picker.isVisible()).to.equal(false);
    await emojiButton.click();
    await page.mouse.click(10, 10);
    expect(await picker.isVisible()).to.equal(false);
    await emojiButton.click();
    await box().click();
    expect(await picker.isVisible()).to.equal(false);
    expect((await state()).value).to.equal("");
  });

  it("mirrors right to left: the arrow keys follow the layout, and the picker opens above the box", async () => {
    await page.evaluate(() => document.querySelector(".cc")!.setAttribute("dir", "rtl"));
    await features(true, true);
    const boxes = await page.evaluate(() => Object.fromEntries(["textarea", "[type=submit]", ".cc-toolbar button"].map((selector) => {
      const { left, right } = document.querySelector(selector)!.getBoundingClientRect();
      return [selector, { left, right }];
    })));
    expect(boxes["[type=submit]"].right).to.be.lessThan(boxes.textarea.left);
    expect(boxes[".cc-toolbar button"].right).to.be.greaterThan(boxes.textarea.right - 50);
    await page.getByRole("button", { name: "Bold" }).focus();
    await page.keyboard.press("ArrowLeft");
    expect(await focused()).to.equal("Italic");
    await page.getByRole("button", { name: "Emoji" }).click();
    await page.keyboard.press("ArrowLeft");
    expect(await focused()).to.equal("😂");
    const [picker, textarea] = await page.evaluate(() => [".cc-emoji", "textarea"].map((selector) => document.querySelector(selector)!.getBoundingClientRect().toJSON() as DOMRect));
    expect(picker.bottom).to.be.at.most(textarea.top);
    expect(picker.top).to.be.at.least(0);
    await page.screenshot({ path: `${artifactsDir}/composer-rtl-emoji.png` });
  });
});
